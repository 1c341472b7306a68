import { afterRouting } from '../wiring/lambda-intake';
import { wireLambdaSlackActions } from '../wiring/lambda-slack-actions';
import { createSlackActionsHandler } from './create-slack-actions-handler';

const deps = wireLambdaSlackActions();

export const handler = afterRouting(deps, createSlackActionsHandler(deps));
