// The shared screens as an Android library: the same src/main/kotlin that
// android/app/shared/pom.xml compiles against Compose for Desktop, here
// against Jetpack Compose. src/test/kotlin is the Maven (desktop) suite and
// is not part of this build.
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "app.homeward.ui"
    compileSdk = 36
    defaultConfig { minSdk = 26 }
    sourceSets["main"].kotlin.srcDir("src/main/kotlin")
    sourceSets["main"].manifest.srcFile("src/android/AndroidManifest.xml")
    sourceSets["test"].kotlin.setSrcDirs(emptyList<String>())
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    api(project(":homeward"))
    api(libs.compose.runtime)
    api(libs.compose.ui)
    api(libs.compose.foundation)
    api(libs.compose.material3)
    implementation(libs.coroutines.core)
    implementation(libs.zxing.core)
}
