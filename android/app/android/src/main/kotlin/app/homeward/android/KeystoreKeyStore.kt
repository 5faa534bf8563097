package app.homeward.android

import android.content.pm.PackageManager
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import app.homeward.ffi.KeyStoreFailure
import app.homeward.ffi.PlatformKeyStore
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The vault's device key in the Android Keystore: AES-256-GCM, not
 * exportable, in StrongBox where the phone has one, and invalidated when a
 * new biometric is enrolled (the vault then says KeyStore: it cannot be
 * opened on this device, by design). wrapKey returns IV || ciphertext.
 * The same shape as the javax.crypto one VaultTest.kt runs on the JVM.
 */
class KeystoreKeyStore(private val packageManager: PackageManager) : PlatformKeyStore {
    private val keyStore = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }

    private fun key(alias: String, create: Boolean): SecretKey? {
        (keyStore.getKey(alias, null) as SecretKey?)?.let { return it }
        if (!create) return null
        fun spec(strongBox: Boolean) = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .setRandomizedEncryptionRequired(true)
            .setInvalidatedByBiometricEnrollment(true)
            .apply { if (strongBox && Build.VERSION.SDK_INT >= 28) setIsStrongBoxBacked(true) }
            .build()
        val gen = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore")
        val strongBox = Build.VERSION.SDK_INT >= 28 && packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)
        return try {
            gen.init(spec(strongBox))
            gen.generateKey()
        } catch (e: StrongBoxUnavailableException) {
            gen.init(spec(false))
            gen.generateKey()
        }
    }

    override fun wrapKey(alias: String, data: ByteArray): ByteArray {
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.ENCRYPT_MODE, key(alias, create = true))
        return cipher.iv + cipher.doFinal(data)
    }

    override fun unwrapKey(alias: String, wrapped: ByteArray): ByteArray {
        val k = key(alias, create = false) ?: throw KeyStoreFailure.KeyMissing()
        if (wrapped.size < 12 + 16) throw KeyStoreFailure.UnwrapFailed()
        return try {
            val cipher = Cipher.getInstance("AES/GCM/NoPadding")
            cipher.init(Cipher.DECRYPT_MODE, k, GCMParameterSpec(128, wrapped, 0, 12))
            cipher.doFinal(wrapped, 12, wrapped.size - 12)
        } catch (e: KeyPermanentlyInvalidatedException) {
            throw KeyStoreFailure.KeyMissing()
        } catch (e: java.security.GeneralSecurityException) {
            throw KeyStoreFailure.UnwrapFailed()
        }
    }

    override fun deleteKey(alias: String) {
        if (keyStore.containsAlias(alias)) keyStore.deleteEntry(alias)
    }
}
