import { ensureDynamoDbLocal } from '../../infra/local/emulators/dynamodb-local.setup.ts';

/** Integration tests need DynamoDB Local; fetch it once (cached) before any test file starts a stack. */
export const setup = (): void => {
  ensureDynamoDbLocal();
};
