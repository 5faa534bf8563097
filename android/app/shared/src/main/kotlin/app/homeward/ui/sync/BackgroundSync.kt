package app.homeward.ui.sync

import app.homeward.ui.core.CoreException
import app.homeward.ui.core.ErrorKind
import app.homeward.ui.core.SyncPort
import app.homeward.ui.core.SyncReport
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.withContext
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.coroutines.CoroutineContext
import kotlin.time.Duration
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/** What one background attempt did. */
sealed interface BackgroundOutcome {
    /** The vault is locked (or not made yet): its keys are never kept for a background sync. */
    data object Locked : BackgroundOutcome

    /** A sync was already running (the officer's, or the previous tick's): one at a time. */
    data object InFlight : BackgroundOutcome

    data class Synced(val report: SyncReport) : BackgroundOutcome

    /** Offline, not enrolled, refused: nothing was lost, the next tick tries again. [kind] holds no personal data. */
    data class Failed(val kind: ErrorKind) : BackgroundOutcome
}

/**
 * Sync in the background: every [period], and at once when a network
 * appears ([networkUp] turns true, polled every [pollEvery]), only while
 * [unlocked] and no sync is in flight. Everything runs on [io], never on the
 * caller's thread; the core holds the vault only to read and record, never
 * across the network, so the screens go on meanwhile. The desktop build
 * runs [run] for the window's life; Android's WorkManager worker calls [once].
 */
class BackgroundSync(
    private val sync: () -> SyncPort,
    private val unlocked: () -> Boolean,
    private val period: Duration = 15.minutes,
    private val networkUp: () -> Boolean = { true },
    private val pollEvery: Duration = 30.seconds,
    private val io: CoroutineContext = Dispatchers.IO,
    private val onOutcome: (BackgroundOutcome) -> Unit = {},
) {
    private val inFlight = AtomicBoolean(false)

    /** One attempt now, unless the vault is locked or a sync is running. */
    suspend fun once(): BackgroundOutcome {
        val outcome = withContext(io) {
            when {
                !unlocked() -> BackgroundOutcome.Locked
                !inFlight.compareAndSet(false, true) -> BackgroundOutcome.InFlight
                else -> try {
                    BackgroundOutcome.Synced(sync().sync {})
                } catch (e: CoreException) {
                    // The officer's own sync running: the core refuses a second one as NotAllowed.
                    if (e.kind == ErrorKind.NotAllowed) BackgroundOutcome.InFlight else BackgroundOutcome.Failed(e.kind)
                } finally {
                    inFlight.set(false)
                }
            }
        }
        onOutcome(outcome)
        return outcome
    }

    /** Ticks until the calling coroutine is cancelled (the window closes); the first sync is due a [period] from now. */
    suspend fun run() {
        val clock = TimeSource.Monotonic
        var due = clock.markNow() + period
        var wasUp = withContext(io) { networkUp() }
        while (true) {
            delay(minOf(pollEvery, period))
            val up = withContext(io) { networkUp() }
            val appeared = up && !wasUp
            wasUp = up
            if (appeared || (up && due.hasPassedNow())) {
                once()
                due = clock.markNow() + period
            }
        }
    }
}
