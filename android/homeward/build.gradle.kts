// The generated uniffi Kotlin (src/main/kotlin, written by
// scripts/generate-bindings; the same copy Maven compiles) and the native
// libraries (src/main/jniLibs, written by scripts/build-android).
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
}

android {
    namespace = "app.homeward.ffi"
    compileSdk = 36
    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets["main"].kotlin.srcDir("src/main/kotlin")
    sourceSets["main"].jniLibs.srcDir("src/main/jniLibs")
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    // JNA's Android build carries its own libjnidispatch.so per ABI.
    api("${libs.jna.get()}@aar")
    api(libs.coroutines.core)
}
