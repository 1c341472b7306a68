import { wireLambdaSlackActions } from '../wiring/lambda-slack-actions';
import { createSlackActionsHandler } from './create-slack-actions-handler';

export const handler = createSlackActionsHandler(wireLambdaSlackActions());
