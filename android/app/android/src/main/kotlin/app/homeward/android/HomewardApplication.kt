package app.homeward.android

import android.app.Application
import android.content.Context
import androidx.work.Constraints
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import app.homeward.ui.core.Lang
import app.homeward.ui.core.RustVault
import app.homeward.ui.settings.AppPrefs
import java.io.File
import java.util.concurrent.TimeUnit

/** One vault per process, in the app's private files (excluded from backups by the manifest's rules). */
class HomewardApplication : Application() {
    lateinit var vault: RustVault
        private set
    lateinit var prefs: AndroidPrefs
        private set

    override fun onCreate() {
        super.onCreate()
        prefs = AndroidPrefs(this)
        vault = RustVault(File(filesDir, "vault").path, KeystoreKeyStore(packageManager))
        // Sync when a network appears; the worker does nothing while the vault is locked.
        WorkManager.getInstance(this).enqueueUniquePeriodicWork(
            "homeward-sync",
            ExistingPeriodicWorkPolicy.KEEP,
            PeriodicWorkRequestBuilder<SyncWorker>(1, TimeUnit.HOURS)
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .build(),
        )
    }
}

/** Preferences that are not secrets (language, lock timeout, crossing point). */
class AndroidPrefs(context: Context) : AppPrefs {
    private val p = context.getSharedPreferences("homeward", Context.MODE_PRIVATE)
    override var language: Lang
        get() = Lang.entries.firstOrNull { it.code == p.getString("language", null) } ?: Lang.RU
        set(v) = p.edit().putString("language", v.code).apply()
    override var lockTimeoutMinutes: Int
        get() = p.getInt("lockTimeoutMinutes", 2)
        set(v) = p.edit().putInt("lockTimeoutMinutes", v).apply()
    override var crossingPoint: String?
        get() = p.getString("crossingPoint", null)
        set(v) = p.edit().putString("crossingPoint", v).apply()
}
