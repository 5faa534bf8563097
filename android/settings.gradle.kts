// The Android build of Homeward. NOT built on the project's machines (no
// Android SDK, no Google Maven there): Maven builds and tests the shared
// screens on the desktop JVM instead (android/app/shared/pom.xml). On a
// machine with the Android SDK: `cd android && ./gradlew assembleDebug`
// (add the Gradle wrapper first: `gradle wrapper --gradle-version 8.14`).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "homeward-android"

// The Android application: activity, navigation host, platform glue only.
include(":app")
project(":app").projectDir = file("app/android")
// The shared screens: the same src/main/kotlin Maven compiles for the desktop.
include(":shared")
project(":shared").projectDir = file("app/shared")
// The generated bindings (one copy) and the jniLibs from scripts/build-android.
include(":homeward")
