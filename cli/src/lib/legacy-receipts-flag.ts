import { Flags } from '@oclif/core';

/** `--allow-legacy-receipts` of every command that makes a paid call: the SDK's `allowLegacyReceipts`. */
export const allowLegacyReceiptsFlag = Flags.boolean({
  description: 'accept a v1/v2 receipt from a gateway that signs v3 receipts (a token it keeps on legacy receipts); by default that is a downgrade, never accepted once the token had a v3 receipt',
});
