import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../lib/config/config-json-schema';

/** `npm run schema`: writes hoist.config.schema.json for editor completion (yaml-language-server). */
writeFileSync('hoist.config.schema.json', `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
process.stdout.write('wrote hoist.config.schema.json\n');
