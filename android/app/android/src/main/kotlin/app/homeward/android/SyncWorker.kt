package app.homeward.android

import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters
import app.homeward.ui.sync.BackgroundOutcome
import app.homeward.ui.sync.BackgroundSync

/**
 * Background sync when a network is there (enqueued hourly by
 * [HomewardApplication] with a CONNECTED constraint, so WorkManager runs it
 * when a network appears). The rule is the shared [BackgroundSync]'s, the
 * same as the desktop build's timer: only while the vault is unlocked (the
 * keys are never kept for it) and no sync is in flight. No notification is
 * shown, so none can carry personal data. Compiled only by the Gradle build
 * with the Android SDK, never here.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val vault = (applicationContext as HomewardApplication).vault
        val background = BackgroundSync(sync = { vault.sync() }, unlocked = { vault.exists() && vault.status().unlocked })
        return when (background.once()) {
            is BackgroundOutcome.Failed -> Result.retry()
            else -> Result.success()
        }
    }
}
