package app.homeward.ffi

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.Socket
import java.net.URI
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger
import kotlin.concurrent.thread

/**
 * A loopback proxy in front of headquarters. While [stall] is set, a
 * request starting with [stallOn] is held, not forwarded: a link that went
 * quiet in the middle of a sync.
 */
class StallingProxy(upstream: String, private val stallOn: String = "POST /v1/events") : AutoCloseable {
    private val listener = ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())
    val url = "http://127.0.0.1:${listener.localPort}"
    val stall = AtomicBoolean(false)
    val held = AtomicInteger(0)

    init {
        val target = URI(upstream)
        thread(isDaemon = true) {
            while (!listener.isClosed) {
                val client = try { listener.accept() } catch (e: java.io.IOException) { break }
                val server = Socket()
                server.connect(InetSocketAddress(target.host, target.port))
                thread(isDaemon = true) { pump(client, server, gated = true) }
                thread(isDaemon = true) { pump(server, client, gated = false) }
            }
        }
    }

    private fun pump(from: Socket, to: Socket, gated: Boolean) {
        val buf = ByteArray(16 * 1024)
        try {
            while (true) {
                val n = from.getInputStream().read(buf)
                if (n < 0) break
                if (gated && stall.get() && String(buf, 0, minOf(n, stallOn.length)) == stallOn) {
                    held.incrementAndGet()
                    while (stall.get()) Thread.sleep(10)
                    held.decrementAndGet()
                }
                to.getOutputStream().write(buf, 0, n)
            }
        } catch (e: java.io.IOException) {
            // the other side went away
        } finally {
            runCatching { to.close() }
            runCatching { from.close() }
        }
    }

    fun awaitHeld() {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
        while (held.get() == 0) {
            check(System.nanoTime() < deadline) { "no request reached the stalled link" }
            Thread.sleep(10)
        }
    }

    override fun close() = listener.close()
}

/**
 * What an officer does while a sync waits on a stalled link: the calls
 * answer, they do not queue behind the network.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncWhileWorkingTest {
    private lateinit var hq: Headquarters

    @BeforeAll
    fun start() {
        hq = Headquarters()
    }

    @AfterAll
    fun stop() {
        hq.close()
    }

    /** One screening to its outcome (a report for the outbox), as the screen drives it. */
    private fun screen(vault: HomewardVault): Long {
        val s = vault.startScreening(NewScreeningInput("OSH-AIRPORT", language = Language.EN))
        val started = System.nanoTime()
        s.answer("date_of_birth", AnswerInput.Date("1990-04-02"))
        s.answer("documents", AnswerInput.Choice("held_by_other"))
        var slowest = 0L
        while (true) {
            val t = System.nanoTime()
            val q = s.nextQuestion() ?: break
            if (q.kind is AnswerKind.YesNo) s.answerText(q.id, "n") else s.skip(q.id)
            slowest = maxOf(slowest, System.nanoTime() - t)
        }
        s.setSubject(SubjectInput(refused = true))
        s.finalise()
        check(System.nanoTime() >= started)
        return TimeUnit.NANOSECONDS.toMillis(slowest)
    }

    private fun <T> within(seconds: Long, what: String, f: () -> T): T {
        val future = CompletableFuture.supplyAsync(f)
        return try {
            future.get(seconds, TimeUnit.SECONDS)
        } catch (e: TimeoutException) {
            throw AssertionError("$what waited behind the stalled sync")
        }
    }

    @Test
    fun `screening and status answer while a sync waits on a stalled link`() {
        StallingProxy(hq.url).use { proxy ->
            newVault().use { vault ->
                vault.syncService().enroll(proxy.url, hq.enrollmentCode("OSH", "border_guard"), "jvm-stall", null)
                screen(vault)
                proxy.stall.set(true)
                val sync = CompletableFuture.supplyAsync { vault.syncService().sync(null) }
                proxy.awaitHeld()

                // The link stays stalled until these are done: they cannot have waited for it.
                val slowestStepMs = within(20, "a screening") { screen(vault) }
                val status = within(5, "status") { vault.status() }
                assertTrue(status.unlocked && vault.isUnlocked())
                assertThrows<HomewardException.NotAllowed> { vault.syncService().sync(null) }
                assertTrue(proxy.held.get() > 0 && !sync.isDone, "the sync was still waiting on the link")
                assertTrue(slowestStepMs < 1000, "a screening step took $slowestStepMs ms during the sync")

                proxy.stall.set(false)
                assertEquals(1L, sync.get(60, TimeUnit.SECONDS).accepted)
                // The screening made during the sync goes at the next one, once.
                assertEquals(1L, vault.syncService().sync(null).accepted)
                assertEquals(0L, vault.syncService().sync(null).accepted)
            }
        }
    }

    @Test
    fun `cancel stops a stalled sync at once and lock never waits`() {
        StallingProxy(hq.url).use { proxy ->
            newVault().use { vault ->
                vault.syncService().enroll(proxy.url, hq.enrollmentCode("OSH", "border_guard"), "jvm-cancel", null)
                screen(vault)
                proxy.stall.set(true)

                val cancelled = CompletableFuture.supplyAsync { runCatching { vault.syncService().sync(null) } }
                proxy.awaitHeld()
                vault.syncService().cancel()
                val r = cancelled.get(10, TimeUnit.SECONDS).exceptionOrNull()
                assertTrue(r is HomewardException.Cancelled, "$r")

                // lock() from onStop while a sync waits: returns at once, the sync stops.
                val locked = CompletableFuture.supplyAsync { runCatching { vault.syncService().sync(null) } }
                proxy.awaitHeld()
                within(5, "lock") { vault.lock() }
                assertFalse(vault.isUnlocked())
                val l = locked.get(10, TimeUnit.SECONDS).exceptionOrNull()
                assertTrue(l is HomewardException.Locked, "$l")

                proxy.stall.set(false)
                vault.unlock(PASSPHRASE)
                val r2 = vault.syncService().sync(null)
                assertEquals(1L, r2.accepted + r2.duplicates, "the report goes once")
            }
        }
    }

    @Test
    fun `cancelling the coroutine stops the sync in the library too`() {
        StallingProxy(hq.url).use { proxy ->
            newVault().use { vault ->
                vault.syncService().enroll(proxy.url, hq.enrollmentCode("OSH", "border_guard"), "jvm-coroutine", null)
                screen(vault)
                proxy.stall.set(true)
                runBlocking {
                    val job = launch(Dispatchers.IO) { vault.syncService().syncAsync(null) }
                    proxy.awaitHeld()
                    job.cancelAndJoin()
                }
                // While a sync runs, another is refused (NotAllowed); once the
                // cancelled one has stopped, an enrolment attempt gets as far
                // as "already enrolled" without touching the network. The link
                // is still stalled, so only the cancellation can have stopped it.
                val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
                while (true) {
                    val e = assertThrows<HomewardException> { vault.syncService().enroll(proxy.url, "X", "x", null) }
                    if (e is HomewardException.AlreadyEnrolled) break
                    assertTrue(e is HomewardException.NotAllowed, "$e")
                    check(System.nanoTime() < deadline) { "the cancelled coroutine's sync kept running" }
                    Thread.sleep(20)
                }
                proxy.stall.set(false)
                assertEquals(1L, vault.syncService().sync(null).let { it.accepted + it.duplicates })
            }
        }
    }

    @Test
    fun `an enrolment to a silent host is cancelled at once`() {
        ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()).use { silent ->
            newVault().use { vault ->
                val enrol = CompletableFuture.supplyAsync {
                    runCatching { vault.syncService().enroll("http://127.0.0.1:${silent.localPort}", "CODE", "x", null) }
                }
                silent.accept().use {
                    within(20, "a screening") { screen(vault) }
                    vault.syncService().cancel()
                    val e = enrol.get(10, TimeUnit.SECONDS).exceptionOrNull()
                    assertTrue(e is HomewardException.Cancelled, "$e")
                    assertFalse(vault.certificates().deviceInfo().enrolled)
                }
            }
        }
    }
}
