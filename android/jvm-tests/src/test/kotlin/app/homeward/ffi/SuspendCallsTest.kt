package app.homeward.ffi

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
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
import java.io.File
import kotlin.concurrent.thread

/**
 * The `suspend` versions of the blocking calls, as an app's coroutines use
 * them: they give what the blocking calls give, and a coroutine cancelled
 * while its call still waits for the vault leaves nothing behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SuspendCallsTest {
    private lateinit var hq: Headquarters

    @BeforeAll
    fun startHeadquarters() {
        hq = Headquarters()
    }

    @AfterAll
    fun stopHeadquarters() {
        hq.close()
    }

    private fun request(surname: String) = CertificateRequestData(
        applicant = ApplicantData(
            surname = surname,
            givenName = "Bakyt",
            dateOfBirth = "1988-08-08",
            placeOfBirth = "Talas",
            sex = SexKind.M,
        ),
        evidence = listOf(CitizenshipEvidenceData.OldPassport("AN7000001")),
        loss = DocumentLossKind.HELD_BY_TRAFFICKER,
        trafficking = TraffickingData(note = "referred after screening"),
        route = "Istanbul - Bishkek (Manas)",
        travelDate = java.time.LocalDate.now().plusDays(3).toString(),
        officerAssessment = "identity consistent with the interview",
    )

    @Test
    fun `the suspend versions give what the blocking calls give`() = runBlocking {
        val dir = File(tempDir("suspend"), "vault").path
        HomewardVault.createAsync(dir, PASSPHRASE, lightSettings(), null).use { vault ->
            val sync = vault.syncService()
            sync.enrollAsync(hq.url, hq.enrollmentCode("IST", "consular_officer"), "jvm-suspend", null)
            val certs = vault.certificates()
            assertTrue(certs.deviceInfoAsync().enrolled)

            // A request with field errors, then a good one submitted.
            val bad = request(" ")
            assertTrue(certs.validateRequestAsync(bad).any { it.field == "applicant.surname" })
            assertThrows<HomewardException.RequestIncomplete> { runBlocking { certs.createRequestAsync(bad, true, null) } }
            val case = certs.createRequestAsync(request("Sadykov"), true, null)
            assertEquals(CaseState.SUBMITTED, case.state)
            assertEquals(listOf(case.caseId), certs.listAsync().map { it.caseId })
            assertTrue(certs.feeAsync(request("Sadykov")).waived)

            // A screening step by step.
            val s = vault.startScreeningAsync(
                NewScreeningInput(crossingPoint = "OSH-AIRPORT", language = Language.EN, screeningDate = "2026-11-29"),
            )
            val q = s.nextQuestionAsync()!!
            val answered: Int = s.answerAsync(q.id, AnswerInput.YesNo(YesNoAnswer.NO)).answered
            assertEquals(1, answered)
            assertEquals(q.id, s.answersAsync().single().questionId)
            assertTrue(s.nextQuestionAsync()!!.id != q.id, "the next question came")
            assertEquals(listOf(s.id()), vault.screenings().listAsync(ScreeningFilter()).map { it.id })

            // What waits to sync, then a sync: plain Int and Long counts.
            val waiting: Int = vault.forwardService().waitingAsync()
            assertTrue(waiting >= 2, "request and screening wait: $waiting")
            val accepted: Long = sync.syncAsync(null).accepted
            assertTrue(accepted >= 2L, "$accepted")
            assertEquals(0, vault.forwardService().waitingAsync())
            assertEquals(0L, sync.unlockCodeRetryAfterSecsAsync())

            // Settings; a negative number is a typed refusal, nothing changed.
            vault.setRetentionDaysAsync(7)
            assertEquals(7, vault.retentionDaysAsync())
            assertThrows<HomewardException.InvalidInput> { runBlocking { vault.setRetentionDaysAsync(-1) } }
            assertEquals(7, vault.retentionDaysAsync())
            vault.changePassphraseAsync(PASSPHRASE, "$PASSPHRASE, changed")
            assertTrue(vault.auditTrailAsync().isNotEmpty())
        }
        HomewardVault.openAsync(dir, null).use { vault ->
            assertFalse(vault.isUnlocked())
            assertThrows<HomewardException.WrongPassphrase> { runBlocking { vault.unlockAsync(PASSPHRASE) } }
            vault.unlockAsync("$PASSPHRASE, changed")
            assertEquals(1, vault.certificates().listAsync().size)
        }
    }

    @Test
    fun `a suspend call cancelled while it waits for the vault is never made, one awaited is`() = runBlocking {
        // A heavy key derivation, so an unlock holds the vault long enough to queue calls behind it.
        val heavy = VaultSettings(kdfMemoryMib = 256, kdfPasses = 3, maxAttempts = 10, unlockDelayMs = 0L)
        HomewardVault.create(File(tempDir("abandon"), "vault").path, PASSPHRASE, heavy, null).use { vault ->
            vault.syncService().enroll(hq.url, hq.enrollmentCode("IST", "consular_officer"), "jvm-abandon", null)
            val certs = vault.certificates()

            // The unlock takes the vault; the request's coroutine waits behind it and is cancelled.
            vault.lock()
            val holder = thread { vault.unlock(PASSPHRASE) }
            Thread.sleep(100)
            val job = launch(Dispatchers.Default) { certs.createRequestAsync(request("Abandoned"), false, null) }
            delay(100)
            job.cancelAndJoin()
            val cancelledAt = System.nanoTime()
            holder.join()
            val heldMs = (System.nanoTime() - cancelledAt) / 1_000_000
            assertTrue(heldMs >= 50, "the unlock still held the vault when the coroutine was cancelled (${heldMs} ms)")
            Thread.sleep(300) // the abandoned call has had the vault by now
            assertTrue(certs.list().isEmpty(), "the cancelled request was never made")

            // The same call awaited behind an unlock: it waits, then is made.
            vault.lock()
            val second = thread { vault.unlock(PASSPHRASE) }
            Thread.sleep(100)
            val made = async(Dispatchers.Default) { certs.createRequestAsync(request("Awaited"), false, null) }
            second.join()
            val case = made.await()
            assertEquals(listOf(case.caseId), certs.list().map { it.caseId }, "only the awaited request exists")
        }
    }
}
