package app.homeward.ffi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.util.concurrent.ConcurrentHashMap
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

class VaultTest {
    @Test
    fun `unlock and lock`() {
        val dir = tempDir("vault")
        val path = File(dir, "v").path
        assertFalse(vaultExists(path))
        HomewardVault.create(path, PASSPHRASE, lightSettings(), null).use { v ->
            assertTrue(v.isUnlocked())
            v.lock()
            assertFalse(v.isUnlocked())
            // Records are out of reach while locked, with a clear error.
            val e = assertThrows<HomewardException.Locked> { v.screenings().list(ScreeningFilter()) }
            assertTrue(e.reason.contains("unlock"), e.reason)
            v.unlock(PASSPHRASE)
            assertTrue(v.isUnlocked())
            assertEquals(0L, v.status().records)
        }
        assertTrue(vaultExists(path))
        HomewardVault.open(path, null).use { v ->
            assertFalse(v.isUnlocked())
            runBlocking { v.unlockAsync(PASSPHRASE) }
            assertTrue(v.isUnlocked())
        }
    }

    @Test
    fun `a wrong passphrase is an exception with the attempts left`() {
        val dir = tempDir("vault")
        val path = File(dir, "v").path
        HomewardVault.create(path, PASSPHRASE, lightSettings(maxAttempts = 3), null).close()
        HomewardVault.open(path, null).use { v ->
            val first = assertThrows<HomewardException.WrongPassphrase> { v.unlock("not the passphrase") }
            assertEquals(2, first.attemptsRemaining)
            assertTrue(first.reason.contains("2 attempt(s) left"), first.reason)
            val status = v.status()
            assertEquals(1, status.failedAttempts)
            assertEquals(2, status.attemptsRemaining)
            // The suspend form throws the same typed exception.
            val second = assertThrows<HomewardException.WrongPassphrase> {
                runBlocking { v.unlockAsync("still not it") }
            }
            assertEquals(1, second.attemptsRemaining)
            // The right one resets the count.
            v.unlock(PASSPHRASE)
            assertEquals(3, v.status().attemptsRemaining)
            v.lock()
            repeat(2) { assertThrows<HomewardException.WrongPassphrase> { v.unlock("wrong wrong wrong") } }
            assertThrows<HomewardException.Wiped> { v.unlock("wrong wrong wrong") }
            assertThrows<HomewardException.Wiped> { v.unlock(PASSPHRASE) }
        }
    }

    @Test
    fun `a weak passphrase is refused with the policy`() {
        val e = assertThrows<HomewardException.WeakPassphrase> {
            HomewardVault.create(File(tempDir("vault"), "v").path, "1234", lightSettings(), null)
        }
        assertTrue(e.reason.contains("12"), e.reason)
        assertThrows<HomewardException.NoVault> { HomewardVault.open(File(tempDir("none"), "v").path, null) }
    }

    /** A key store written in Kotlin, as the Android shell's Keystore one will be. */
    class AesKeyStore : PlatformKeyStore {
        val keys = ConcurrentHashMap<String, SecretKey>()
        var calls = 0

        override fun wrapKey(alias: String, data: ByteArray): ByteArray {
            calls++
            val key = keys.getOrPut(alias) { KeyGenerator.getInstance("AES").apply { init(256) }.generateKey() }
            val c = Cipher.getInstance("AES/GCM/NoPadding")
            c.init(Cipher.ENCRYPT_MODE, key)
            return c.iv + c.doFinal(data)
        }

        override fun unwrapKey(alias: String, wrapped: ByteArray): ByteArray {
            calls++
            val key = keys[alias] ?: throw KeyStoreFailure.KeyMissing()
            val c = Cipher.getInstance("AES/GCM/NoPadding")
            c.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, wrapped.copyOfRange(0, 12)))
            return try {
                c.doFinal(wrapped.copyOfRange(12, wrapped.size))
            } catch (e: javax.crypto.AEADBadTagException) {
                throw KeyStoreFailure.UnwrapFailed()
            }
        }

        override fun deleteKey(alias: String) {
            keys.remove(alias)
        }
    }

    @Test
    fun `a PIN with a platform key store implemented in Kotlin`() {
        val path = File(tempDir("vault"), "v").path
        val ks = AesKeyStore()
        HomewardVault.create(path, "4821", lightSettings(), ks).close()
        assertEquals(1, ks.calls)
        HomewardVault.open(path, ks).use { v ->
            assertTrue(v.status().deviceBound)
            v.unlock("4821")
            assertTrue(v.isUnlocked())
        }
        // The key gone (app reinstalled): a clear key store error, not a wrong PIN.
        ks.keys.clear()
        HomewardVault.open(path, ks).use { v ->
            val e = assertThrows<HomewardException.KeyStore> { v.unlock("4821") }
            assertTrue(e.reason.contains("device key store"), e.reason)
        }
        // Without a key store at all, the same.
        HomewardVault.open(path, null).use { v -> assertThrows<HomewardException.KeyStore> { v.unlock("4821") } }
    }

    @Test
    fun `the software key store for tests`() {
        val dir = tempDir("vault")
        val ks = softwareKeyStore(File(dir, "keys").path)
        val path = File(dir, "v").path
        HomewardVault.create(path, "975310", lightSettings(), ks).close()
        HomewardVault.open(path, ks).use { v ->
            v.unlock("975310")
            v.changePassphrase("975310", "246801")
            v.lock()
            assertThrows<HomewardException.WrongPassphrase> { v.unlock("975310") }
            v.unlock("246801")
        }
    }

    @Test
    fun `wipe destroys the vault and its device key`() {
        val dir = tempDir("vault")
        val path = File(dir, "v").path
        val ks = AesKeyStore()
        HomewardVault.create(path, "4821", lightSettings(), ks).use { v ->
            v.startScreening(NewScreeningInput("MANAS", language = Language.EN))
            v.wipe()
            assertThrows<HomewardException.Wiped> { v.unlock("4821") }
            assertThrows<HomewardException.Wiped> { v.status() }
        }
        assertTrue(ks.keys.isEmpty(), "the device key was deleted")
        assertFalse(vaultExists(path))
    }

    @Test
    fun `settings - the duress passphrase leaves an empty vault, the retention period is kept`() {
        val path = File(tempDir("vault"), "v").path
        val duress = "a different, memorable phrase"
        HomewardVault.create(path, PASSPHRASE, lightSettings(), null).use { v ->
            v.startScreening(NewScreeningInput("MANAS", language = Language.RU))
            assertEquals(30, v.retentionDays())
            v.setRetentionDays(7)
            assertEquals(7, v.retentionDays())
            assertThrows<HomewardException.InvalidInput> { v.setDuressPassphrase(PASSPHRASE, PASSPHRASE) }
            assertThrows<HomewardException.WrongPassphrase> { v.setDuressPassphrase("not the passphrase", duress) }
            v.setDuressPassphrase(PASSPHRASE, duress)
            assertTrue(v.status().records > 0L)
        }
        // Entered at unlock, the duress passphrase opens what looks like a fresh vault.
        HomewardVault.open(path, null).use { v ->
            v.unlock(duress)
            assertEquals(0L, v.status().records)
            assertTrue(v.screenings().list(ScreeningFilter()).isEmpty())
        }
        HomewardVault.open(path, null).use { v ->
            assertThrows<HomewardException.WrongPassphrase> { v.unlock(PASSPHRASE) }
        }
    }
}
