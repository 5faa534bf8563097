package app.homeward.ui

import app.homeward.ui.core.RustVault
import app.homeward.ui.core.SyncPort
import app.homeward.ui.sync.BackgroundOutcome
import app.homeward.ui.sync.BackgroundSync
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.CountDownLatch
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** The desktop build's background sync, against a real homeward-hq: when it syncs, and when it leaves the vault alone. */
class BackgroundSyncTest {
    companion object {
        private lateinit var hq: Headquarters

        @BeforeClass @JvmStatic
        fun start() { hq = Headquarters() }

        @AfterClass @JvmStatic
        fun stop() { hq.close() }
    }

    /** An enrolled border phone with one screening waiting to sync. */
    private fun postPhone(): RustVault = newVault().also {
        it.sync().enrol(hq.url, hq.enrollmentCode("OSH", "border_guard"), "post-phone", null)
        screenOne(it)
    }

    private fun background(vault: RustVault, outcomes: MutableList<BackgroundOutcome>, network: AtomicBoolean = AtomicBoolean(true), period: kotlin.time.Duration = 1.hours) =
        BackgroundSync({ vault.sync() }, { vault.status().unlocked }, period, { network.get() }, 20.milliseconds, onOutcome = { outcomes += it })

    private suspend fun awaitOutcomes(outcomes: List<BackgroundOutcome>, n: Int) = withTimeout(30.seconds) {
        while (outcomes.size < n) delay(10)
    }

    @Test
    fun `a locked vault is left alone, unlocked it syncs what waits, and sends nothing twice`() = runBlocking {
        val vault = postPhone()
        val bg = background(vault, mutableListOf())
        vault.lock()
        assertEquals(BackgroundOutcome.Locked, bg.once())
        vault.unlock(LONG_PIN)
        val first = bg.once()
        assertTrue("$first", first is BackgroundOutcome.Synced && first.report.accepted >= 1L)
        val second = bg.once()
        assertTrue("$second", second is BackgroundOutcome.Synced && second.report.accepted == 0L)
    }

    @Test
    fun `a network that appears starts a sync at once, and the timer starts the next`() = runBlocking {
        val vault = postPhone()
        val outcomes = CopyOnWriteArrayList<BackgroundOutcome>()
        val network = AtomicBoolean(false)
        val job = launch(Dispatchers.Default) { background(vault, outcomes, network).run() }
        delay(300)
        assertTrue("offline: nothing tried, $outcomes", outcomes.isEmpty())
        network.set(true)
        awaitOutcomes(outcomes, 1)
        val first = outcomes.single()
        assertTrue("the network's return synced: $first", first is BackgroundOutcome.Synced && first.report.accepted >= 1L)
        delay(300)
        assertEquals("the timer's period is an hour: one sync only", 1, outcomes.size)
        job.cancelAndJoin()

        // A short period: the timer alone syncs again (nothing new to send).
        screenOne(vault)
        val timed = CopyOnWriteArrayList<BackgroundOutcome>()
        val ticking = launch(Dispatchers.Default) { background(vault, timed, period = 200.milliseconds).run() }
        awaitOutcomes(timed, 2)
        ticking.cancelAndJoin()
        val synced = timed.filterIsInstance<BackgroundOutcome.Synced>()
        assertTrue("$timed", synced.size >= 2)
        assertEquals("the new screening went once", 1L, synced.sumOf { it.report.accepted })
    }

    @Test
    fun `no second sync while one is in flight`() = runBlocking {
        val vault = postPhone()
        // The real core's sync, held at its start until released: a slow link.
        val release = CountDownLatch(1)
        val entered = CountDownLatch(1)
        val slow = object : SyncPort by vault.sync() {
            override fun sync(onProgress: (app.homeward.ui.core.SyncProgress) -> Unit) =
                vault.sync().also { entered.countDown(); release.await() }.sync(onProgress)
        }
        val bg = BackgroundSync({ slow }, { vault.status().unlocked })
        val running = async(Dispatchers.Default) { bg.once() }
        entered.await()
        assertEquals(BackgroundOutcome.InFlight, bg.once())
        release.countDown()
        val done = running.await()
        assertTrue("$done", done is BackgroundOutcome.Synced && done.report.accepted >= 1L)
    }
}
