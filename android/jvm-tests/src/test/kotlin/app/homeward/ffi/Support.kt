package app.homeward.ffi

import java.io.File
import java.net.ServerSocket
import java.net.URI
import java.nio.file.Files
import java.util.concurrent.TimeUnit

const val PASSPHRASE = "correct horse battery staple"

/** Light key derivation and no unlock delay: tests unlock many vaults. */
fun lightSettings(maxAttempts: Int = 10) =
    VaultSettings(kdfMemoryMib = 19, kdfPasses = 2, maxAttempts = maxAttempts, unlockDelayMs = 0L)

fun tempDir(prefix: String): File = Files.createTempDirectory("homeward-$prefix").toFile().also { it.deleteOnExit() }

fun newVault(dir: File = tempDir("vault"), maxAttempts: Int = 10): HomewardVault =
    HomewardVault.create(File(dir, "vault").path, PASSPHRASE, lightSettings(maxAttempts), null)

/**
 * A real `homeward-hq` process on a free loopback port, with its admin
 * commands run as further processes on the same data directory, the way an
 * administrator runs them.
 */
class Headquarters(tls: Boolean = false) : AutoCloseable {
    private val bin: String = System.getProperty("homeward.hq.bin")
        ?: error("set -Dhomeward.hq.bin to the homeward-hq binary")
    val dataDir: File = tempDir("hq")
    val url: String
    private val process: Process

    init {
        require(File(bin).canExecute()) { "no homeward-hq binary at $bin (cargo build -p homeward-hq)" }
        val port = ServerSocket(0).use { it.localPort }
        url = (if (tls) "https" else "http") + "://127.0.0.1:$port"
        val serve = listOf(bin, "--data-dir", dataDir.path, "serve", "--listen", "127.0.0.1:$port")
        process = ProcessBuilder(if (tls) serve + "--tls" else serve)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start()
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
        while (!answers()) {
            check(process.isAlive) { "homeward-hq exited with ${process.exitValue()}" }
            check(System.nanoTime() < deadline) { "homeward-hq did not start" }
            Thread.sleep(50)
        }
    }

    private fun answers(): Boolean = try {
        java.net.Socket("127.0.0.1", URI(url).port).use { true }
    } catch (e: java.io.IOException) {
        false
    }

    /** Headquarters' TLS authority, which devices pin at enrolment (TLS only). */
    val caPem: String? get() = File(dataDir, "tls/ca.pem").takeIf { it.exists() }?.readText()

    /** Runs an admin command and returns its standard output, trimmed. */
    fun admin(vararg args: String): String {
        val p = ProcessBuilder(listOf(bin, "--data-dir", dataDir.path) + args).start()
        val out = p.inputStream.bufferedReader().readText()
        val err = p.errorStream.bufferedReader().readText()
        check(p.waitFor() == 0) { "homeward-hq ${args.joinToString(" ")} failed: $err" }
        return out.trim()
    }

    fun enrollmentCode(office: String, role: String): String =
        admin("enrollment-code", "--office", office, "--role", role)

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}
