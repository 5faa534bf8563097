// Where the vault lives: Application Support/Homeward/vault, a folder under
// complete file protection (its files are unreadable while the phone is
// locked; new files in it take the folder's class) and excluded from
// iCloud and iTunes/Finder backups, so a backup never carries the vault
// (its keys are bound to this device's Secure Enclave anyway).

import Foundation

enum VaultLocation {
    static func prepare() throws -> URL {
        let fm = FileManager.default
        let support = try fm.url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
        var dir = support.appendingPathComponent("Homeward", isDirectory: true)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true,
                               attributes: [.protectionKey: FileProtectionType.complete])
        // Set again on every start: the attribute of a folder made by an older build is raised too.
        try fm.setAttributes([.protectionKey: FileProtectionType.complete], ofItemAtPath: dir.path)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try dir.setResourceValues(values)
        // Files the core made before (vault.db, its WAL, attachments/) get the same class.
        if let items = fm.enumerator(at: dir, includingPropertiesForKeys: nil) {
            for case let url as URL in items {
                try fm.setAttributes([.protectionKey: FileProtectionType.complete], ofItemAtPath: url.path)
            }
        }
        return dir.appendingPathComponent("vault", isDirectory: true)
    }
}
