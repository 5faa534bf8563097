package app.homeward.ui

import app.cash.molecule.RecompositionMode
import app.cash.molecule.moleculeFlow
import app.cash.turbine.ReceiveTurbine
import app.cash.turbine.test
import app.homeward.ffi.VaultSettings
import app.homeward.ui.core.Answer
import app.homeward.ui.core.AnswerType
import app.homeward.ui.core.Lang
import app.homeward.ui.core.RustVault
import app.homeward.ui.core.YesNo
import androidx.compose.runtime.Composable
import kotlinx.coroutines.runBlocking
import java.io.File
import java.net.ServerSocket
import java.net.URI
import java.nio.file.Files
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.seconds

const val PIN = "482915"

/** Light key derivation: tests open many vaults. [unlockDelayMs] is the core's wait after a wrong PIN. */
fun lightSettings(maxAttempts: Int = 10, unlockDelayMs: Long = 0L) =
    VaultSettings(kdfMemoryMib = 19, kdfPasses = 2, maxAttempts = maxAttempts, unlockDelayMs = unlockDelayMs)

fun tempDir(prefix: String): File = Files.createTempDirectory("homeward-app-$prefix").toFile().also { it.deleteOnExit() }

/** A real vault on a real file, behind the app's ports. Without a key store the core wants 12+ characters. */
fun newVault(settings: VaultSettings = lightSettings(), pin: String = LONG_PIN): RustVault =
    RustVault(File(tempDir("vault"), "vault").path, null, settings).also { it.create(pin) }

/** No platform key store in these tests, so the core asks for a passphrase of 12+ characters. */
const val LONG_PIN = "correct horse battery"

/** Runs a presenter under Molecule and hands its states to [block] (Turbine). */
fun <S> testPresenter(present: @Composable () -> S, block: suspend ReceiveTurbine<S>.() -> Unit) = runBlocking {
    moleculeFlow(RecompositionMode.Immediate) { present() }.test(timeout = 30.seconds) { block() }
}

/** Skips states until one matches (presenters call the core off the main thread). */
suspend fun <S> ReceiveTurbine<S>.awaitUntil(what: String = "state", predicate: (S) -> Boolean): S {
    var last: S? = null
    while (true) {
        val s = try { awaitItem() } catch (e: AssertionError) { throw AssertionError("no $what; last state: $last", e) }
        if (predicate(s)) return s
        last = s
    }
}

/**
 * The default checklist's "adult with act, means and purpose" scenario
 * (core/tests/screening.rs): recruited, deceived, forced labour; every other
 * yes/no answered "no", the rest skipped.
 */
val presumedVictimScenario: Map<String, Answer> = mapOf(
    "appears_minor" to Answer.Tri(YesNo.NO),
    "date_of_birth" to Answer.Date("1990-04-02"),
    "documents" to Answer.Choice("another_persons"),
    "recruited" to Answer.Tri(YesNo.YES),
    "deceived" to Answer.Tri(YesNo.YES),
    "forced_labour" to Answer.Tri(YesNo.YES),
    "promised_work" to Answer.Choices(listOf("construction")),
)

/** A real `homeward-hq` on a free loopback port; admin commands as further processes. */
class Headquarters : AutoCloseable {
    private val bin: String = System.getProperty("homeward.hq.bin") ?: error("set -Dhomeward.hq.bin")
    val dataDir: File = tempDir("hq")
    val url: String
    private val process: Process

    init {
        require(File(bin).canExecute()) { "no homeward-hq binary at $bin (cargo build -p homeward-hq)" }
        val port = ServerSocket(0).use { it.localPort }
        url = "http://127.0.0.1:$port"
        process = ProcessBuilder(bin, "--data-dir", dataDir.path, "serve", "--listen", "127.0.0.1:$port")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
        while (!answers()) {
            check(process.isAlive) { "homeward-hq exited with ${process.exitValue()}" }
            check(System.nanoTime() < deadline) { "homeward-hq did not start" }
            Thread.sleep(50)
        }
    }

    private fun answers() = try { java.net.Socket("127.0.0.1", URI(url).port).use { true } } catch (e: java.io.IOException) { false }

    fun admin(vararg args: String): String {
        val p = ProcessBuilder(listOf(bin, "--data-dir", dataDir.path) + args).start()
        val out = p.inputStream.bufferedReader().readText()
        val err = p.errorStream.bufferedReader().readText()
        check(p.waitFor() == 0) { "homeward-hq ${args.joinToString(" ")} failed: $err" }
        return out.trim()
    }

    fun enrollmentCode(office: String, role: String) = admin("enrollment-code", "--office", office, "--role", role)

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}

/** One screening finalised (an adult with their own document, "no" to every question): an event to sync. */
fun screenOne(vault: RustVault) {
    val s = vault.screenings().start("OSH-AIRPORT", Lang.EN)
    s.answer("date_of_birth", Answer.Date("1990-04-02"))
    s.answer("documents", Answer.Choice("own"))
    while (true) {
        val q = s.next() ?: break
        if (q.type == AnswerType.YesNo) s.answer(q.id, Answer.Tri(YesNo.NO)) else s.skip(q.id)
    }
    s.finalise()
}
