package app.homeward.ffi

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.File
import java.util.concurrent.TimeUnit

/**
 * The cost of the bindings, measured: unlock to first question, one
 * screening step (answer, then the next question) and a barcode's
 * verification, each made from Kotlin through the generated code and JNA and
 * then by the same calls in Rust on the same vault and barcode (the bindings
 * crate's `rust_side` example, run as a process in the same run), side by
 * side as a ratio. A benchmark, not a timed test: nothing here fails on a
 * time; it fails when a call does not answer as it should.
 *
 * `./scripts/test` runs it quick (debug build, few rounds);
 * `scripts/bench-bindings` runs it full on the release build, and
 * docs/PERFORMANCE.md keeps the table.
 */
class BindingsBenchmarkTest {
    private val full = System.getProperty("homeward.bench") == "full"
    private val unlocks = if (full) 5 else 1
    private val steps = if (full) 2000 else 60
    private val verifies = if (full) 1000 else 30

    @Test
    fun `the same calls from Kotlin and from Rust, side by side`() {
        val rustSide = File(System.getProperty("homeward.bench.rustSide") ?: error("set -Dhomeward.bench.rustSide"))
        require(rustSide.canExecute()) { "no $rustSide (cargo build -p homeward-ffi --example rust_side)" }
        val dir = tempDir("bench")
        val vaultDir = File(dir, "border").path
        val barcode = Headquarters().use { hq -> issueAndReceive(hq, vaultDir) }

        val kotlin = Timings(
            unlock = List(unlocks) { unlockToFirstQuestion(vaultDir) },
            step = unlocked(vaultDir) { screeningSteps(it) },
            verify = unlocked(vaultDir) { verifications(it, barcode) },
        )
        val rust = runRustSide(rustSide, vaultDir, File(dir, "barcode.txt").apply { writeText(barcode) })

        for (t in listOf(kotlin, rust)) {
            assertEquals(unlocks, t.unlock.size)
            assertEquals(steps, t.step.size)
            assertEquals(verifies, t.verify.size)
            assertTrue((t.unlock + t.step + t.verify).all { it > 0.0 }, "every call took some time")
        }
        val table = table(kotlin, rust)
        println(table)
        System.getProperty("homeward.bench.out")?.let { File(it).writeText(table + "\n") }
    }

    /** A consulate asks, headquarters approves, the consulate issues; the border post receives the lists. */
    private fun issueAndReceive(hq: Headquarters, borderDir: String): String {
        // The border vault with the default (field) key derivation: its unlock is the one measured.
        HomewardVault.create(borderDir, PASSPHRASE, VaultSettings(), null).use { border ->
            newVault().use { consulate ->
                consulate.syncService().enroll(hq.url, hq.enrollmentCode("IST", "consular_officer"), "bench-consulate", null)
                border.syncService().enroll(hq.url, hq.enrollmentCode("OSH", "border_guard"), "bench-border", null)
                val certs = consulate.certificates()
                val case = certs.createRequest(request(), true)
                consulate.syncService().sync(null)
                hq.admin("decide", case.caseId, "verify-identity")
                hq.admin("decide", case.caseId, "approve", "--days", "20")
                consulate.syncService().sync(null)
                val issued = certs.issue(case.caseId, null)
                consulate.syncService().sync(null)
                border.syncService().sync(null)
                val check = border.certificates().verify(issued.barcode, null, null)
                assertTrue(check is VerificationResult.Valid, "$check")
                border.closeVault()
                return issued.barcode
            }
        }
    }

    private fun request() = CertificateRequestData(
        applicant = ApplicantData(surname = "Sadykov", givenName = "Bakyt", dateOfBirth = "1988-08-08", placeOfBirth = "Talas", sex = SexKind.M),
        evidence = listOf(CitizenshipEvidenceData.OldPassport("AN7000001")),
        loss = DocumentLossKind.HELD_BY_TRAFFICKER,
        trafficking = TraffickingData(note = "referred after screening"),
        route = "Istanbul - Bishkek (Manas)",
        travelDate = java.time.LocalDate.now().plusDays(3).toString(),
        officerAssessment = "identity consistent with the interview",
    )

    private fun start(v: HomewardVault) = v.startScreening(NewScreeningInput("OSH-AIRPORT", language = Language.EN))

    private fun <T> unlocked(vaultDir: String, body: (HomewardVault) -> T): T =
        HomewardVault.open(vaultDir, null).use { v ->
            v.unlock(PASSPHRASE)
            try {
                body(v)
            } finally {
                v.closeVault()
            }
        }

    private fun unlockToFirstQuestion(vaultDir: String): Double {
        val t = System.nanoTime()
        HomewardVault.open(vaultDir, null).use { v ->
            v.unlock(PASSPHRASE)
            val q = start(v).nextQuestion()
            val us = micros(t)
            v.closeVault()
            assertTrue(q != null, "a new screening has a first question")
            return us
        }
    }

    /** The same walk as the Rust half: a tenth more steps, the first tenth dropped (warm code on both sides). */
    private fun screeningSteps(v: HomewardVault): List<Double> {
        val out = ArrayList<Double>()
        var session = start(v)
        var q = session.nextQuestion()
        while (out.size < steps + steps / 10) {
            val shown = q
            if (shown == null) {
                session = start(v)
                q = session.nextQuestion()
                continue
            }
            val t = System.nanoTime()
            val answer = answerFor(shown)
            if (answer == null) session.skip(shown.id) else session.answer(shown.id, answer)
            q = session.nextQuestion()
            out += micros(t)
        }
        return out.drop(steps / 10)
    }

    private fun verifications(v: HomewardVault, barcode: String): List<Double> {
        val checks = v.certificates()
        return List(verifies + verifies / 10) {
            val t = System.nanoTime()
            val r = checks.verify(barcode, null, null)
            val us = micros(t)
            assertTrue(r is VerificationResult.Valid, "$r")
            us
        }.drop(verifies / 10)
    }

    private fun runRustSide(bin: File, vaultDir: String, barcode: File): Timings {
        val p = ProcessBuilder(
            bin.path, "--vault", vaultDir, "--barcode", barcode.path,
            "--unlocks", "$unlocks", "--steps", "$steps", "--verifies", "$verifies",
        ).also { it.environment()["HOMEWARD_BENCH_PASSPHRASE"] = PASSPHRASE }
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0) { "rust_side failed: $out" }
        fun series(key: String): List<Double> {
            val body = Regex("\"$key\":\\[([^\\]]*)]").find(out)?.groupValues?.get(1) ?: error("no $key in $out")
            return body.split(',').filter { it.isNotBlank() }.map { it.trim().toDouble() }
        }
        return Timings(series("unlock_to_first_question_us"), series("step_us"), series("verify_us"))
    }

    data class Timings(val unlock: List<Double>, val step: List<Double>, val verify: List<Double>)

    private fun table(k: Timings, r: Timings): String {
        val rows = listOf(
            Triple("unlock to first question (ms, default argon2id)", k.unlock.map { it / 1000 }, r.unlock.map { it / 1000 }),
            Triple("screening step: answer + next question (µs)", k.step, r.step),
            Triple("verify a barcode (µs)", k.verify, r.verify),
        )
        val lines = mutableListOf(
            "build: " + (if (full) "full" else "quick") + ", " + File(System.getProperty("jna.library.path") ?: "?").name,
            "",
            "| call | n | Kotlin p50 | Kotlin p99 | Rust p50 | Rust p99 | p50 ratio | p99 ratio |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        )
        for ((name, kt, rs) in rows) {
            val (k50, k99, r50, r99) = listOf(pct(kt, 50), pct(kt, 99), pct(rs, 50), pct(rs, 99))
            lines += "| $name | ${kt.size} | ${f(k50)} | ${f(k99)} | ${f(r50)} | ${f(r99)} | ${f(k50 / r50)}x | ${f(k99 / r99)}x |"
        }
        val stepP99Ms = pct(k.step, 99) / 1000
        lines += ""
        lines += "Kotlin step p99 ${f(stepP99Ms)} ms against one frame (16 ms): ${f(stepP99Ms / 16)}x " +
            (if (stepP99Ms < 16) "(met)" else "(not met)")
        return lines.joinToString("\n")
    }

    private fun pct(xs: List<Double>, p: Int): Double {
        val s = xs.sorted()
        return s[((s.size - 1) * p / 100.0).let { Math.round(it).toInt() }]
    }

    private fun f(x: Double) = if (x >= 100) "%.0f".format(x) else "%.2f".format(x)

    private fun micros(t: Long) = (System.nanoTime() - t) / 1000.0

    companion object {
        /** The same rule as the Rust half's `answer_for`, so both walk the same path. */
        fun answerFor(q: QuestionView): AnswerInput? = when (val k = q.kind) {
            is AnswerKind.YesNo -> AnswerInput.YesNo(YesNoAnswer.NO)
            is AnswerKind.SingleChoice -> k.options.firstOrNull()?.let { AnswerInput.Choice(it.id) }
            is AnswerKind.MultipleChoice -> k.options.firstOrNull()?.let { AnswerInput.Choices(listOf(it.id)) }
            is AnswerKind.Number -> AnswerInput.Number(maxOf(30.0, k.min ?: 30.0).coerceAtMost(k.max ?: Double.MAX_VALUE))
            is AnswerKind.Date -> AnswerInput.Date("1990-01-01")
            is AnswerKind.Text -> if (q.required) AnswerInput.Text("n/a") else null
        }
    }
}
