// The vault's device key, as KeystoreKeyStore.kt is on Android: the core's
// PlatformKeyStore over a P-256 key in the Secure Enclave (never leaves it,
// not exportable, not in any backup), usable only while the phone is
// unlocked (kSecAttrAccessibleWhenUnlockedThisDeviceOnly) and only with
// the biometrics enrolled when it was made (.biometryCurrentSet): enrolling
// a new face or finger invalidates it, and the vault then says KeyStore,
// by design. wrapKey seals with ECIES (cofactor X9.63 SHA-256, AES-GCM),
// unwrapKey asks for Face ID / Touch ID (the core calls it on a background
// thread during unlock, so the prompt never blocks the main thread).
//
// Where there is no Secure Enclave (the Simulator), the same access rules
// hold for an AES-256 key kept as a Keychain item, and AES-GCM from
// CryptoKit wraps: the tests' path, weaker (the key is in the Keychain, not
// in hardware), and said so in docs/SECURITY.md.

import CryptoKit
import Foundation
import HomewardFFI
import LocalAuthentication
import Security

final class KeychainKeyStore: PlatformKeyStore, @unchecked Sendable {
    private let reasonText: String

    /// `reasonText` is what the biometric prompt says (no personal data).
    init(reasonText: String = "Homeward") {
        self.reasonText = reasonText
    }

    private static var hasSecureEnclave: Bool { SecureEnclave.isAvailable }

    private static func tag(_ alias: String) -> Data { Data("app.homeward.vault.\(alias)".utf8) }

    private static func accessControl() throws -> SecAccessControl {
        var error: Unmanaged<CFError>?
        var flags: SecAccessControlCreateFlags = [.biometryCurrentSet]
        if hasSecureEnclave { flags.insert(.privateKeyUsage) }
        guard let ac = SecAccessControlCreateWithFlags(nil, kSecAttrAccessibleWhenUnlockedThisDeviceOnly, flags, &error) else {
            throw KeyStoreFailure.Platform(reason: "access control: \(describe(error))")
        }
        return ac
    }

    // MARK: PlatformKeyStore

    func wrapKey(alias: String, data: Data) throws -> Data {
        if Self.hasSecureEnclave {
            let key = try privateKey(alias) ?? createPrivateKey(alias)
            guard let pub = SecKeyCopyPublicKey(key) else { throw KeyStoreFailure.Platform(reason: "no public key") }
            var error: Unmanaged<CFError>?
            guard let sealed = SecKeyCreateEncryptedData(pub, .eciesEncryptionCofactorVariableIVX963SHA256AESGCM, data as CFData, &error) else {
                throw KeyStoreFailure.Platform(reason: "encrypt: \(Self.describe(error))")
            }
            return sealed as Data
        }
        let key = try symmetricKey(alias, context: nil) ?? createSymmetricKey(alias)
        do {
            guard let combined = try AES.GCM.seal(data, using: key).combined else { throw KeyStoreFailure.UnwrapFailed }
            return combined
        } catch let e as KeyStoreFailure {
            throw e
        } catch {
            throw KeyStoreFailure.Platform(reason: "seal: \(type(of: error))")
        }
    }

    func unwrapKey(alias: String, wrapped: Data) throws -> Data {
        let context = LAContext()
        context.localizedReason = reasonText
        if Self.hasSecureEnclave {
            // Missing, or invalidated by a new biometric enrolment: the core then says KeyStore.
            guard let key = try privateKey(alias, context: context) else { throw KeyStoreFailure.KeyMissing }
            var error: Unmanaged<CFError>?
            guard let plain = SecKeyCreateDecryptedData(key, .eciesEncryptionCofactorVariableIVX963SHA256AESGCM, wrapped as CFData, &error) else {
                if Self.cancelled(error) { throw KeyStoreFailure.Platform(reason: "cancelled") }
                throw KeyStoreFailure.UnwrapFailed
            }
            return plain as Data
        }
        guard let key = try symmetricKey(alias, context: context) else { throw KeyStoreFailure.KeyMissing }
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: wrapped), using: key)
        } catch {
            throw KeyStoreFailure.UnwrapFailed
        }
    }

    func deleteKey(alias: String) throws {
        for query in [privateKeyQuery(alias), symmetricQuery(alias)] {
            let status = SecItemDelete(query as CFDictionary)
            guard status == errSecSuccess || status == errSecItemNotFound else {
                throw KeyStoreFailure.Platform(reason: "delete: \(status)")
            }
        }
    }

    // MARK: Secure Enclave

    private func privateKeyQuery(_ alias: String) -> [String: Any] {
        [kSecClass as String: kSecClassKey,
         kSecAttrApplicationTag as String: Self.tag(alias),
         kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom]
    }

    private func privateKey(_ alias: String, context: LAContext? = nil) throws -> SecKey? {
        var query = privateKeyQuery(alias)
        query[kSecReturnRef as String] = true
        if let context { query[kSecUseAuthenticationContext as String] = context }
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess: return (item as! SecKey)
        case errSecItemNotFound: return nil
        default: throw KeyStoreFailure.Platform(reason: "find key: \(status)")
        }
    }

    private func createPrivateKey(_ alias: String) throws -> SecKey {
        let attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
            kSecAttrTokenID as String: kSecAttrTokenIDSecureEnclave,
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true,
                kSecAttrApplicationTag as String: Self.tag(alias),
                kSecAttrAccessControl as String: try Self.accessControl(),
            ] as [String: Any],
        ]
        var error: Unmanaged<CFError>?
        // Fails when no biometric is enrolled: the officer is asked to enrol one (the core says KeyStore).
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else {
            throw KeyStoreFailure.Platform(reason: "create key: \(Self.describe(error))")
        }
        return key
    }

    // MARK: Keychain item (no Secure Enclave)

    private func symmetricQuery(_ alias: String) -> [String: Any] {
        [kSecClass as String: kSecClassGenericPassword,
         kSecAttrService as String: "app.homeward.vault",
         kSecAttrAccount as String: alias]
    }

    private func symmetricKey(_ alias: String, context: LAContext?) throws -> SymmetricKey? {
        var query = symmetricQuery(alias)
        query[kSecReturnData as String] = true
        if let context { query[kSecUseAuthenticationContext as String] = context }
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let data = item as? Data, data.count == 32 else { throw KeyStoreFailure.UnwrapFailed }
            return SymmetricKey(data: data)
        case errSecItemNotFound: return nil
        case errSecUserCanceled: throw KeyStoreFailure.Platform(reason: "cancelled")
        default: throw KeyStoreFailure.Platform(reason: "find key: \(status)")
        }
    }

    private func createSymmetricKey(_ alias: String) throws -> SymmetricKey {
        let key = SymmetricKey(size: .bits256)
        var item = symmetricQuery(alias)
        item[kSecValueData as String] = key.withUnsafeBytes { Data($0) }
        item[kSecAttrAccessControl as String] = try Self.accessControl()
        let status = SecItemAdd(item as CFDictionary, nil)
        guard status == errSecSuccess else { throw KeyStoreFailure.Platform(reason: "store key: \(status)") }
        return key
    }

    // MARK: errors (codes only: nothing personal is in them, and they are never logged)

    private static func describe(_ error: Unmanaged<CFError>?) -> String {
        guard let e = error?.takeRetainedValue() else { return "unknown" }
        return "\(CFErrorGetDomain(e) as String) \(CFErrorGetCode(e))"
    }

    private static func cancelled(_ error: Unmanaged<CFError>?) -> Bool {
        guard let e = error?.takeUnretainedValue() else { return false }
        let code = CFErrorGetCode(e)
        return code == LAError.userCancel.rawValue || code == LAError.systemCancel.rawValue || code == Int(errSecUserCanceled)
    }
}
