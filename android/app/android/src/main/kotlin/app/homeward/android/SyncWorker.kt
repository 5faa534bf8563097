package app.homeward.android

import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters
import app.homeward.ui.core.CoreException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * Background sync when a network is there. Only while the vault is
 * unlocked (the keys are never kept for it); no notification carries any
 * personal data (none is shown at all).
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val vault = (applicationContext as HomewardApplication).vault
        if (!vault.status().unlocked) return Result.success()
        return withContext(Dispatchers.IO) {
            try {
                vault.sync().sync {}
                Result.success()
            } catch (e: CoreException) {
                Result.retry()
            }
        }
    }
}
