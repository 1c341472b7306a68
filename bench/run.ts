import { benchBundles } from './bundles';
import { benchDevServer, benchWebhookHandler } from './intake';
import { benchBumpEngine, benchEndToEnd, benchPlanning } from './promotion';
import { printTable } from './stats';

/**
 * `npm run bench`: measures, prints a Markdown table, asserts nothing.
 * Figures depend on the machine; README.md lists those of a 2-core box.
 */
const rows = [
  ...(await benchWebhookHandler()),
  ...(await benchDevServer()),
  ...benchBumpEngine(),
  ...benchPlanning(),
  ...(await benchEndToEnd()),
  ...benchBundles(),
];
printTable(rows);
