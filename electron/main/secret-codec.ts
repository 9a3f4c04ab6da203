import { safeStorage } from 'electron';
import type { SecretCodec } from '../core/app';

/** Secrets at rest through Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet). */
export function safeStorageCodec(): SecretCodec {
  if (!safeStorage.isEncryptionAvailable()) {
    throw new Error('safeStorage cannot encrypt on this system: profiles with secrets will be kept in memory only');
  }
  return {
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
