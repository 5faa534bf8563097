package app.homeward.ui.design

import androidx.compose.foundation.background
import androidx.compose.foundation.border
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.error
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.text.input.VisualTransformation
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import app.homeward.ui.core.Lang

/** High contrast, large type: read in a queue, in sun or at night. */
private val HomewardColors = lightColorScheme(
    primary = Color(0xFF0B3D91),
    onPrimary = Color.White,
    secondary = Color(0xFF37474F),
    background = Color.White,
    surface = Color.White,
    onSurface = Color(0xFF111111),
    error = Color(0xFFB00020),
)

object Tones {
    val valid = Color(0xFF1B5E20)
    val refused = Color(0xFFB00020)
    val caution = Color(0xFF8A4B00)
    val neutral = Color(0xFF37474F)
}

@Composable
fun HomewardTheme(lang: Lang, content: @Composable () -> Unit) {
    CompositionLocalProvider(LocalStrings provides Strings(lang)) {
        MaterialTheme(colorScheme = HomewardColors) {
            Surface(color = MaterialTheme.colorScheme.background, content = content)
        }
    }
}

/** A screen: a title bar with an optional back button, then scrolling content. */
@Composable
fun Screen(
    title: String,
    modifier: Modifier = Modifier,
    onBack: (() -> Unit)? = null,
    actions: @Composable () -> Unit = {},
    content: @Composable ColumnScope.() -> Unit,
) {
    Column(modifier.fillMaxSize()) {
        Row(
            Modifier.fillMaxWidth().background(MaterialTheme.colorScheme.primary).padding(horizontal = 8.dp, vertical = 4.dp)
                .heightIn(min = 56.dp),
            verticalAlignment = Alignment.CenterVertically,
        ) {
            if (onBack != null) {
                Button(
                    onClick = onBack,
                    modifier = Modifier.heightIn(min = 48.dp).testTag("back"),
                    colors = ButtonDefaults.buttonColors(containerColor = MaterialTheme.colorScheme.primary),
                ) { Text("← " + strings.back, fontSize = 16.sp) }
            }
            Text(
                title,
                color = MaterialTheme.colorScheme.onPrimary,
                fontSize = 20.sp,
                fontWeight = FontWeight.Bold,
                modifier = Modifier.weight(1f).padding(horizontal = 8.dp).semantics { heading() },
            )
        }
        // Actions (the language switch) get a row of their own: the title keeps its width.
        Row(
            Modifier.fillMaxWidth().background(MaterialTheme.colorScheme.primary).padding(horizontal = 8.dp, vertical = 2.dp),
            horizontalArrangement = Arrangement.End,
        ) { actions() }
        Column(
            Modifier.fillMaxWidth().weight(1f).verticalScroll(rememberScrollState()).padding(16.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
            content = content,
        )
    }
}

/** A full-width action at least 56 dp high: reachable with a thumb, hard to miss. */
@Composable
fun BigButton(
    text: String,
    onClick: () -> Unit,
    modifier: Modifier = Modifier,
    enabled: Boolean = true,
    primary: Boolean = true,
    tag: String? = null,
) {
    val m = modifier.fillMaxWidth().heightIn(min = 56.dp).let { if (tag != null) it.testTag(tag) else it }
    if (primary) {
        Button(onClick = onClick, modifier = m, enabled = enabled, shape = RoundedCornerShape(8.dp)) {
            Text(text, fontSize = 18.sp, fontWeight = FontWeight.SemiBold)
        }
    } else {
        OutlinedButton(onClick = onClick, modifier = m, enabled = enabled, shape = RoundedCornerShape(8.dp)) {
            Text(text, fontSize = 18.sp)
        }
    }
}

/** A labelled text field with the core's message under it (as text and as the semantics error). */
@Composable
fun Field(
    label: String,
    value: String,
    onValueChange: (String) -> Unit,
    modifier: Modifier = Modifier,
    error: String? = null,
    secret: Boolean = false,
    numeric: Boolean = false,
    tag: String? = null,
    singleLine: Boolean = true,
) {
    Column(modifier.fillMaxWidth()) {
        OutlinedTextField(
            value = value,
            onValueChange = onValueChange,
            label = { Text(label) },
            isError = error != null,
            singleLine = singleLine,
            visualTransformation = if (secret) PasswordVisualTransformation() else VisualTransformation.None,
            keyboardOptions = KeyboardOptions(
                keyboardType = when {
                    secret && numeric -> KeyboardType.NumberPassword
                    numeric -> KeyboardType.Number
                    secret -> KeyboardType.Password
                    else -> KeyboardType.Text
                },
            ),
            modifier = Modifier.fillMaxWidth().heightIn(min = 56.dp)
                .semantics { contentDescription = label; if (error != null) error(error) }
                .let { if (tag != null) it.testTag(tag) else it },
            textStyle = MaterialTheme.typography.bodyLarge.copy(fontSize = 18.sp),
        )
        if (error != null) {
            Text(
                "⚠ $error",
                color = MaterialTheme.colorScheme.error,
                fontSize = 15.sp,
                modifier = Modifier.padding(start = 4.dp, top = 2.dp).let { if (tag != null) it.testTag("$tag-error") else it },
            )
        }
    }
}

/** A message box: a symbol and words as well as a colour, never colour alone. */
@Composable
fun Notice(symbol: String, text: String, color: Color, modifier: Modifier = Modifier, tag: String? = null) {
    Row(
        // One node for a screen reader: the symbol and the sentence are read together.
        modifier.fillMaxWidth().border(2.dp, color, RoundedCornerShape(8.dp)).padding(12.dp)
            .semantics(mergeDescendants = true) {}
            .let { if (tag != null) it.testTag(tag) else it },
        verticalAlignment = Alignment.CenterVertically,
        horizontalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        Text(symbol, color = color, fontSize = 24.sp, fontWeight = FontWeight.Bold)
        Text(text, color = MaterialTheme.colorScheme.onSurface, fontSize = 16.sp)
    }
}

@Composable
fun SectionTitle(text: String) {
    Text(text, fontSize = 18.sp, fontWeight = FontWeight.Bold, modifier = Modifier.semantics { heading() })
}

@Composable
fun Body(text: String, modifier: Modifier = Modifier) {
    Text(text, fontSize = 16.sp, modifier = modifier)
}

@Composable
fun Centered(content: @Composable () -> Unit) {
    Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) { content() }
}

/** Three language buttons; the current one is marked by a tick, not colour alone. */
@Composable
fun LanguageSwitch(current: Lang, onSelect: (Lang) -> Unit, modifier: Modifier = Modifier) {
    Row(modifier, horizontalArrangement = Arrangement.spacedBy(4.dp)) {
        for (l in Lang.entries) {
            val label = (if (l == current) "✓ " else "") + l.code.uppercase()
            OutlinedButton(
                onClick = { onSelect(l) },
                modifier = Modifier.heightIn(min = 48.dp).testTag("lang-${l.code}"),
                colors = ButtonDefaults.outlinedButtonColors(
                    containerColor = if (l == current) Color.White else Color.Transparent,
                    contentColor = if (l == current) MaterialTheme.colorScheme.primary else Color.White,
                ),
            ) { Text(label, fontWeight = if (l == current) FontWeight.Bold else FontWeight.Normal) }
        }
    }
}
