package app.homeward.ui.request

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import app.homeward.ui.core.CaseSummary
import app.homeward.ui.core.CertificatesPort
import app.homeward.ui.core.CoreException
import app.homeward.ui.core.ErrorKind
import app.homeward.ui.core.IssuedCertificate
import app.homeward.ui.core.LocalScreenBrightness
import app.homeward.ui.core.RequestForm
import app.homeward.ui.design.BigButton
import app.homeward.ui.design.Body
import app.homeward.ui.design.Field
import app.homeward.ui.design.Notice
import app.homeward.ui.design.Screen
import app.homeward.ui.design.Tones
import app.homeward.ui.design.strings
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext

data class RequestState(
    val form: RequestForm,
    /** The core's message per field (`applicant.surname` -> "..."). */
    val fieldErrors: Map<String, String>,
    val saved: CaseSummary?,
    val error: String?,
    val busy: Boolean,
    val eventSink: (RequestEvent) -> Unit,
)

sealed interface RequestEvent {
    data class Edit(val form: RequestForm) : RequestEvent
    data object SaveDraft : RequestEvent
    data object Submit : RequestEvent
}

/**
 * The Certificate of Return request: the core validates; its messages go
 * under their fields. After the first try to submit, every edit is checked
 * again so a message disappears as soon as its field is right.
 */
class RequestPresenter(
    private val certificates: CertificatesPort,
    private val io: CoroutineContext = Dispatchers.IO,
) {
    @Composable
    fun present(): RequestState {
        val scope = rememberCoroutineScope()
        var form by remember { mutableStateOf(RequestForm()) }
        var errors by remember { mutableStateOf(emptyMap<String, String>()) }
        var tried by remember { mutableStateOf(false) }
        var saved by remember { mutableStateOf<CaseSummary?>(null) }
        var error by remember { mutableStateOf<String?>(null) }
        var busy by remember { mutableStateOf(false) }

        LaunchedEffect(form, tried) {
            if (tried) {
                errors = try {
                    withContext(io) { certificates.validate(form) }.associate { it.field to it.message }
                } catch (e: CoreException) {
                    error = e.reason
                    errors
                }
            }
        }

        fun save(submit: Boolean) {
            if (busy) return
            busy = true
            error = null
            scope.launch {
                try {
                    saved = withContext(io) { certificates.create(form, submit) }
                    errors = emptyMap()
                } catch (e: CoreException) {
                    when (e.kind) {
                        ErrorKind.RequestIncomplete -> errors = e.problems.associate { it.field to it.message }
                        ErrorKind.InvalidInput -> errors = withContext(io) { certificates.validate(form) }.associate { it.field to it.message }
                        else -> Unit
                    }
                    error = e.reason
                    tried = true
                } finally {
                    busy = false
                }
            }
        }

        return RequestState(form, errors, saved, error, busy) { event ->
            when (event) {
                is RequestEvent.Edit -> form = event.form
                RequestEvent.SaveDraft -> save(false)
                RequestEvent.Submit -> save(true)
            }
        }
    }
}

/** The form's fields, each with the core's field name for its message. */
val requestFields: List<Triple<String, (RequestForm) -> String, (RequestForm, String) -> RequestForm>> = listOf(
    Triple("applicant.surname", { it.surname }, { f, v -> f.copy(surname = v) }),
    Triple("applicant.given_name", { it.givenName }, { f, v -> f.copy(givenName = v) }),
    Triple("applicant.patronymic", { it.patronymic }, { f, v -> f.copy(patronymic = v) }),
    Triple("applicant.date_of_birth", { it.dateOfBirth }, { f, v -> f.copy(dateOfBirth = v) }),
    Triple("applicant.place_of_birth", { it.placeOfBirth }, { f, v -> f.copy(placeOfBirth = v) }),
    Triple("applicant.sex", { it.sex }, { f, v -> f.copy(sex = v) }),
    Triple("evidence", { it.oldPassport }, { f, v -> f.copy(oldPassport = v) }),
    Triple("route", { it.route }, { f, v -> f.copy(route = v) }),
    Triple("travel_date", { it.travelDate }, { f, v -> f.copy(travelDate = v) }),
    Triple("officer_assessment", { it.assessment }, { f, v -> f.copy(assessment = v) }),
)

@Composable
fun RequestView(state: RequestState, onBack: () -> Unit, modifier: Modifier = Modifier) {
    val s = strings
    val labels = mapOf(
        "applicant.surname" to s.surname,
        "applicant.given_name" to s.givenName,
        "applicant.patronymic" to s.patronymic,
        "applicant.date_of_birth" to s.dateOfBirth,
        "applicant.place_of_birth" to s.placeOfBirth,
        "applicant.sex" to s.sex,
        "evidence" to s.oldPassport,
        "route" to s.route,
        "travel_date" to s.travelDate,
        "officer_assessment" to s.assessment,
    )
    Screen(s.newRequest, modifier, onBack = onBack) {
        state.saved?.let {
            Notice("✓", s.submitted + " (" + it.caseId.take(8) + ")", Tones.valid, tag = "saved")
        }
        if (state.fieldErrors.isNotEmpty()) Notice("⚠", s.fixErrors(state.fieldErrors.size), MaterialTheme.colorScheme.error, tag = "error-count")
        for ((field, get, set) in requestFields) {
            Field(
                labels.getValue(field),
                get(state.form),
                { state.eventSink(RequestEvent.Edit(set(state.form, it))) },
                error = state.fieldErrors[field] ?: state.fieldErrors.entries.firstOrNull { it.key.startsWith("$field.") || it.key.startsWith("$field[") }?.value,
                tag = field,
            )
        }
        // Problems the form has no field for (children, loss, trafficking) still show.
        val known = requestFields.map { it.first }.toSet()
        state.fieldErrors.filterKeys { k -> known.none { k == it || k.startsWith("$it.") || k.startsWith("$it[") } }
            .forEach { (_, m) -> Notice("⚠", m, MaterialTheme.colorScheme.error) }
        BigButton(s.submit, { state.eventSink(RequestEvent.Submit) }, enabled = !state.busy, tag = "submit")
        BigButton(s.saveDraft, { state.eventSink(RequestEvent.SaveDraft) }, enabled = !state.busy, primary = false, tag = "save-draft")
    }
}

data class RequestListState(
    val cases: List<CaseSummary>,
    val issued: IssuedCertificate?,
    val error: String?,
    val eventSink: (RequestListEvent) -> Unit,
)

sealed interface RequestListEvent {
    data object Refresh : RequestListEvent
    data class Issue(val caseId: String) : RequestListEvent
    data object CloseCertificate : RequestListEvent
}

class RequestListPresenter(
    private val certificates: CertificatesPort,
    private val io: CoroutineContext = Dispatchers.IO,
) {
    @Composable
    fun present(): RequestListState {
        val scope = rememberCoroutineScope()
        var cases by remember { mutableStateOf(emptyList<CaseSummary>()) }
        var issued by remember { mutableStateOf<IssuedCertificate?>(null) }
        var error by remember { mutableStateOf<String?>(null) }
        var refresh by remember { mutableStateOf(0) }
        LaunchedEffect(refresh) {
            try { cases = withContext(io) { certificates.list() } } catch (e: CoreException) { error = e.reason }
        }
        return RequestListState(cases, issued, error) { event ->
            when (event) {
                RequestListEvent.Refresh -> refresh++
                is RequestListEvent.Issue -> scope.launch {
                    try {
                        issued = withContext(io) { certificates.issue(event.caseId) }
                        refresh++
                    } catch (e: CoreException) {
                        error = e.reason
                    }
                }
                RequestListEvent.CloseCertificate -> issued = null
            }
        }
    }
}

@Composable
fun RequestListView(state: RequestListState, onBack: () -> Unit, modifier: Modifier = Modifier) {
    val s = strings
    state.issued?.let {
        CertificateView(it, onBack = { state.eventSink(RequestListEvent.CloseCertificate) }, modifier = modifier)
        return
    }
    Screen(s.requests, modifier, onBack = onBack) {
        state.error?.let { Notice("⚠", it, MaterialTheme.colorScheme.error, tag = "error") }
        if (state.cases.isEmpty()) Body(s.noRequests)
        state.cases.forEach { c ->
            Notice(
                if (c.inConflict) "⚠" else "•",
                listOfNotNull(s.caseState(c.state), c.certificateNumber, c.caseId.take(8), if (c.inConflict) s.conflict else null).joinToString(" · "),
                if (c.inConflict) Tones.caution else Tones.neutral,
                tag = "case-${c.caseId}",
            )
            if (c.state == "APPROVED") BigButton(s.issue, { state.eventSink(RequestListEvent.Issue(c.caseId)) }, tag = "issue-${c.caseId}")
        }
    }
}

/** The issued certificate with its QR code: dark squares on white with a 4-module quiet zone. */
@Composable
fun CertificateView(certificate: IssuedCertificate, onBack: () -> Unit, modifier: Modifier = Modifier) {
    val s = strings
    val brightness = LocalScreenBrightness.current
    // Full brightness while the code is shown, the officer's own setting after.
    DisposableEffect(brightness) {
        brightness.full(true)
        onDispose { brightness.full(false) }
    }
    Screen(s.certificate, modifier, onBack = onBack) {
        Text(certificate.holder, fontSize = 24.sp, fontWeight = FontWeight.Bold)
        Body("№ ${certificate.number}")
        Body("${s.expires}: ${certificate.expiryDate}")
        QrCode(certificate.qrWidth, certificate.qrModules, Modifier.fillMaxWidth().testTag("qr").semantics { contentDescription = "QR ${certificate.number}" })
        Body(s.showFullScreen)
    }
}

@Composable
fun QrCode(width: Int, modules: List<Boolean>, modifier: Modifier = Modifier) {
    Canvas(modifier.aspectRatio(1f).background(Color.White).padding(0.dp)) {
        val quiet = 4
        val n = width + 2 * quiet
        // Whole pixels per module so the edges stay sharp for a camera.
        val cell = kotlin.math.floor(size.minDimension / n)
        val origin = (size.minDimension - cell * n) / 2
        for (y in 0 until width) for (x in 0 until width) {
            if (modules[y * width + x]) {
                drawRect(Color.Black, Offset(origin + (x + quiet) * cell, origin + (y + quiet) * cell), Size(cell, cell))
            }
        }
    }
}
