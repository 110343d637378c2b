/**
 * The store key's OS protection under Electron (main/store-key.ts): `safeStorage`, which is DPAPI on
 * Windows (bound to the Windows user), the keychain on macOS and the secret service on Linux. Only
 * usable once the app is ready; where the OS offers none, the key file falls back to owner-only mode.
 */
import { safeStorage } from 'electron';
import type { KeyProtector } from '../store-key';

export const safeStorageProtector: KeyProtector = {
  kind: 'safeStorage',
  available: () => safeStorage.isEncryptionAvailable(),
  wrap: (plain) => safeStorage.encryptString(plain),
  unwrap: (wrapped) => safeStorage.decryptString(wrapped),
};
