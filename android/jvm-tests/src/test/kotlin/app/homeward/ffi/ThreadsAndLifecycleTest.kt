package app.homeward.ffi

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.util.concurrent.Callable
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

class ThreadsAndLifecycleTest {
    @Test
    fun `many threads calling at once`() {
        newVault().use { vault ->
            val threads = 12
            val perThread = 5
            val pool = Executors.newFixedThreadPool(threads)
            val start = CountDownLatch(1)
            // One listed crossing point per thread (the demo list has 12), so each thread's count is its own.
            val posts = vault.crossingPoints().map { it.id }.take(threads)
            assertEquals(threads, posts.size)
            try {
                val jobs = (0 until threads).map { t ->
                    pool.submit(Callable {
                        start.await()
                        val ids = mutableListOf<String>()
                        repeat(perThread) { i ->
                            // Each thread gets its own objects and shares some.
                            val s = vault.startScreening(NewScreeningInput(posts[t], language = Language.EN))
                            s.answer("appears_minor", AnswerInput.YesNo(if (i % 2 == 0) YesNoAnswer.NO else YesNoAnswer.YES))
                            assertEquals("date_of_birth", s.nextQuestion()!!.id)
                            vault.status()
                            vault.screenings().list(ScreeningFilter(crossingPoint = posts[t]))
                            vault.certificates().list()
                            ids += s.id()
                        }
                        ids
                    })
                }
                start.countDown()
                val ids = jobs.flatMap { it.get(120, TimeUnit.SECONDS) }
                assertEquals(threads * perThread, ids.toSet().size)
                assertEquals(threads * perThread, vault.screenings().list(ScreeningFilter()).size)
                for (t in 0 until threads) {
                    assertEquals(perThread, vault.screenings().list(ScreeningFilter(crossingPoint = posts[t])).size)
                }
            } finally {
                pool.shutdownNow()
            }
        }
    }

    @Test
    fun `a lock from another thread is seen by every service`() {
        newVault().use { vault ->
            val s = vault.startScreening(NewScreeningInput("MANAS", language = Language.EN))
            val t = Thread { vault.lock() }
            t.start()
            t.join()
            assertThrows<HomewardException.Locked> { s.nextQuestion() }
            vault.unlock(PASSPHRASE)
            assertEquals("appears_minor", s.nextQuestion()!!.id)
        }
    }

    @Test
    fun `objects used after close give a clear error, not a crash`() {
        val vault = newVault()
        val session = vault.startScreening(NewScreeningInput("MANAS", language = Language.EN))
        val certs = vault.certificates()
        val sync = vault.syncService()

        // closeVault(): the vault and everything made from it refuse calls.
        vault.closeVault()
        vault.closeVault()
        assertFalse(vault.isUnlocked())
        val e = assertThrows<HomewardException.Closed> { session.nextQuestion() }
        assertTrue(e.reason.contains("closed"), e.reason)
        assertThrows<HomewardException.Closed> { certs.list() }
        assertThrows<HomewardException.Closed> { sync.sync(null) }
        assertThrows<HomewardException.Closed> { vault.status() }
        assertThrows<HomewardException.Closed> { vault.unlock(PASSPHRASE) }

        // Kotlin's close() frees the handle: further use is an
        // IllegalStateException from the generated code, never a native crash.
        session.close()
        vault.close()
        vault.close()
        assertThrows<IllegalStateException> { session.nextQuestion() }
        assertThrows<IllegalStateException> { vault.status() }
    }
}
