import type { SecretChange } from './secret-change';

/** The FIFO message group: changes of one secret are handled one after another. */
export const secretGroupOf = (change: Pick<SecretChange, 'secretArn'>): string => `secret:${change.secretArn}`;
