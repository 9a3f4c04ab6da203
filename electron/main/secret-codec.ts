import { safeStorage } from 'electron';
import type { SecretCodec } from '../core/app';

/** safeStorage cannot protect secrets here; the message says why, for the user. */
export class SecretStorageRefused extends Error {}

/**
 * Secrets at rest through Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet). Refused
 * where it would not protect them: no encryption at all, or Linux's `basic_text` backend (no
 * keyring: "encrypted" with a hard-coded password, effectively plain text). Call after `ready`
 * (before it, Linux reports `unknown`).
 */
export function safeStorageCodec(platform: NodeJS.Platform = process.platform): SecretCodec {
  if (!safeStorage.isEncryptionAvailable()) {
    throw new SecretStorageRefused('safeStorage cannot encrypt on this system');
  }
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend();
    if (backend === 'basic_text' || backend === 'unknown') {
      throw new SecretStorageRefused(
        `no keyring (safeStorage backend "${backend}"): secrets would be stored as good as plain text. Install and unlock a keyring (GNOME Keyring / libsecret or KWallet) to keep profiles between runs`,
      );
    }
  }
  return {
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
