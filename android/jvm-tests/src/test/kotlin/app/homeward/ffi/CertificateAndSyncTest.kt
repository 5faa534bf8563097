package app.homeward.ffi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.util.concurrent.CopyOnWriteArrayList

/**
 * A consulate and a border post enrolled with a real homeward-hq process:
 * a request, headquarters' decisions through its admin commands, issuance,
 * and offline verification and entry at the border, all through sync.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CertificateAndSyncTest {
    private lateinit var hq: Headquarters

    @BeforeAll
    fun startHeadquarters() {
        hq = Headquarters()
    }

    @AfterAll
    fun stopHeadquarters() {
        hq.close()
    }

    private fun request(surname: String = "Sadykov") = CertificateRequestData(
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

    class Recorder : SyncProgressListener {
        val seen = CopyOnWriteArrayList<SyncProgressInfo>()
        override fun onProgress(progress: SyncProgressInfo) {
            seen += progress
        }
    }

    @Test
    fun `request, decisions at headquarters, issuance, verification and entry`() {
        val consulate = newVault()
        val border = newVault()
        consulate.use {
            border.use {
                // Enrolment with one-time codes from the admin command.
                val e1 = consulate.syncService().enroll(hq.url, hq.enrollmentCode("IST", "consular_officer"), "jvm-consulate", null)
                assertEquals(DeviceRole.CONSULAR_OFFICER, e1.role)
                assertEquals("IST", e1.office)
                val e2 = border.syncService().enroll(hq.url, hq.enrollmentCode("OSH", "border_guard"), "jvm-border", null)
                assertEquals(DeviceRole.BORDER_GUARD, e2.role)
                val info = consulate.certificates().deviceInfo()
                assertTrue(info.enrolled)
                assertEquals(hq.url, info.serverUrl)
                // A used code is refused by headquarters with a typed error.
                val used = assertThrows<HomewardException.ServerRefused> {
                    newVault().use { it.syncService().enroll(hq.url, "not-a-code", "x", null) }
                }
                assertTrue(used.status >= 400, "${used.status}")

                val certs = consulate.certificates()
                // Validation messages from the core, per field.
                val bad = request().copy(applicant = request().applicant.copy(surname = " "), evidence = emptyList())
                val problems = certs.validateRequest(bad)
                assertTrue(problems.any { it.field == "applicant.surname" }, "$problems")
                val refused = assertThrows<HomewardException.RequestIncomplete> { certs.createRequest(bad, true) }
                assertEquals(problems, refused.problems)
                assertTrue(certs.list().isEmpty(), "nothing saved")
                // A bad date names its field.
                val date = assertThrows<HomewardException.InvalidInput> {
                    certs.createRequest(request().copy(travelDate = "soon"), false)
                }
                assertTrue(date.reason.startsWith("travel_date"), date.reason)

                // A photo that is not one (a PDF picked by mistake) is refused before anything is saved.
                val notPhoto = assertThrows<HomewardException.InvalidInput> {
                    certs.createRequest(request(), true, "%PDF-1.7".toByteArray())
                }
                assertTrue(notPhoto.reason.contains("JPEG"), notPhoto.reason)
                assertTrue(certs.list().isEmpty(), "nothing saved")

                // The camera's JPEG: sealed on the device, its SHA-256 in the signed request.
                val jpeg = byteArrayOf(0xFF.toByte(), 0xD8.toByte(), 0xFF.toByte(), 0xE0.toByte()) + "camera-bytes".toByteArray()
                val case = certs.createRequest(request(), true, jpeg)
                val hash = java.security.MessageDigest.getInstance("SHA-256").digest(jpeg).joinToString("") { "%02x".format(it) }
                assertEquals(hash, case.request!!.applicant.photoSha256)
                assertEquals(CaseState.SUBMITTED, case.state)
                assertTrue(case.problems.isEmpty())
                assertTrue(case.fee!!.waived, "victims pay no fee")
                assertEquals("IST", case.request!!.issuingOffice)

                // The case is a person's full record: no look without a reason.
                assertThrows<HomewardException.JustificationRequired> { certs.show(case.caseId, null) }
                assertThrows<HomewardException.JustificationRequired> { certs.show(case.caseId, "  ") }

                // Issuing before approval is refused.
                assertThrows<HomewardException.NotAllowed> { certs.issue(case.caseId, null) }

                // Push, with progress.
                val recorder = Recorder()
                val pushed = consulate.syncService().sync(recorder)
                assertEquals(2L, pushed.accepted)
                assertTrue(pushed.auditEntriesSent > 0L, "the audit trail syncs too")
                assertTrue(recorder.seen.isNotEmpty(), "progress was reported")
                assertTrue(recorder.seen.last().eventsSent >= 2L && recorder.seen.last().bytesSent > 0L)
                // The phases in order, and the push's total known from its start.
                val phases = recorder.seen.map { it.phase }.distinct()
                assertEquals(listOf(SyncPhase.PUSHING, SyncPhase.PULLING, SyncPhase.DONE), phases)
                val total = recorder.seen.first().eventsToSend
                assertEquals(pushed.accepted + pushed.duplicates, total)
                assertTrue(recorder.seen.all { it.eventsSent <= total })

                // Headquarters decides, through its admin commands.
                assertTrue(hq.admin("cases").contains(case.caseId))
                hq.admin("decide", case.caseId, "verify-identity")
                hq.admin("decide", case.caseId, "approve", "--days", "20")

                // Pulled with the suspend form.
                val pulled = runBlocking { consulate.syncService().syncAsync(Recorder()) }
                assertEquals(2L, pulled.progress.eventsReceived)
                assertEquals(CaseState.APPROVED, certs.show(case.caseId, "case review").state)

                val issued = certs.issue(case.caseId, null)
                assertEquals(CaseState.ISSUED, issued.case.state)
                val cert = issued.case.certificate!!
                assertEquals(cert.barcode, issued.barcode)
                assertTrue(cert.feeWaived)
                assertEquals(issued.qr.width * issued.qr.width, issued.qr.modules.size.toInt())
                assertTrue(issued.qr.modules.any { it } && issued.qr.modules.any { !it })
                consulate.syncService().sync(null)

                // The border post syncs (lists, identities), then checks offline.
                border.syncService().sync(null)
                assertTrue(border.certificates().deviceInfo().trustListSequence != null)
                val checks = border.certificates()
                val valid = checks.verify(issued.barcode, null, null)
                assertTrue(valid is VerificationResult.Valid, "$valid")
                val v = (valid as VerificationResult.Valid).certificate
                assertEquals("Sadykov", v.surname)
                assertEquals(cert.number, v.number)
                assertEquals("IST", v.signerOffice)
                assertEquals(PhotoCheckKind.NOT_CHECKED, v.photo)

                // Altered in transit: a typed refusal, not an exception.
                val chars = issued.barcode.toCharArray()
                val i = chars.size - 10
                chars[i] = if (chars[i] == '0') '1' else '0'
                val tampered = checks.verify(String(chars), null, null)
                assertTrue(tampered is VerificationResult.Refused, "$tampered")
                val reason = (tampered as VerificationResult.Refused).reason
                assertTrue(reason == RefusalReason.BAD_SIGNATURE || reason == RefusalReason.UNREADABLE, "$reason")
                assertTrue(tampered.explanation.isNotBlank())
                val garbage = checks.verify("hello", null, null) as VerificationResult.Refused
                assertEquals(RefusalReason.UNREADABLE, garbage.reason)

                // Entry recorded; the same certificate cannot be used twice.
                assertTrue(checks.recordEntry(issued.barcode, "MANAS") is VerificationResult.Valid)
                val again = checks.verify(issued.barcode, null, null) as VerificationResult.Refused
                assertEquals(RefusalReason.ALREADY_USED, again.reason)
                assertEquals(1L, border.syncService().sync(null).accepted)

                // The consulate learns of the entry.
                consulate.syncService().sync(null)
                val done = certs.show(case.caseId, "case review")
                assertEquals(CaseState.ENTERED, done.state)
                assertEquals("MANAS", done.entryCrossingPoint)
                assertEquals(
                    listOf("created", "submitted", "identity_verified", "approved", "issued", "entered"),
                    done.history.map { it.event },
                )
            }
        }
    }

    @Test
    fun `an unreachable headquarters and a cancelled sync are typed errors`() {
        newVault().use { v ->
            v.syncService().enroll(hq.url, hq.enrollmentCode("IST", "consular_officer"), "jvm-cancel", null)
            val case = v.certificates().createRequest(request("Osmonov"), true)
            val s = v.syncService()
            // Cancelled from the progress callback (after the push, before
            // the pull), i.e. from another call while the sync runs.
            val canceller = object : SyncProgressListener {
                override fun onProgress(progress: SyncProgressInfo) {
                    if (progress.phase == SyncPhase.PULLING) v.syncService().cancel()
                }
            }
            val e = assertThrows<HomewardException.Cancelled> { s.sync(canceller) }
            assertTrue(e.reason.contains("kept"), e.reason)
            // What was done is kept; the next sync finishes the job.
            val next = s.sync(null)
            assertEquals(0L, next.accepted)
            assertEquals(CaseState.SUBMITTED, v.certificates().show(case.caseId, "case review").state)
            // A made-up unlock code is refused.
            assertThrows<HomewardException.InvalidInput> { s.enterUnlockCode("123456") }
            newVault().use { other ->
                val e = assertThrows<HomewardException.Network> {
                    other.syncService().enroll("http://127.0.0.1:9", "code", "x", null)
                }
                assertTrue(e.reason.contains("reach"), e.reason)
            }
            assertNotNull(v.certificates().deviceInfo().lastCheckInUnixMs)
        }
    }
}
