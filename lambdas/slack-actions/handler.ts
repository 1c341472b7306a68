import { afterRouting } from '../wiring/lambda-intake';
import { wireLambdaSlackActions } from '../wiring/lambda-slack-actions';

const deps = wireLambdaSlackActions();

export const handler = afterRouting(deps, async () => (await import('./create-slack-actions-handler')).createSlackActionsHandler(deps));
