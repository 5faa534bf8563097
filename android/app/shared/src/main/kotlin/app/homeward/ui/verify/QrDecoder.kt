package app.homeward.ui.verify

import com.google.zxing.BarcodeFormat
import com.google.zxing.BinaryBitmap
import com.google.zxing.DecodeHintType
import com.google.zxing.NotFoundException
import com.google.zxing.RGBLuminanceSource
import com.google.zxing.common.GlobalHistogramBinarizer
import com.google.zxing.common.HybridBinarizer
import com.google.zxing.qrcode.QRCodeReader

/**
 * The camera's barcode reader, in shared code: ZXing core on both builds.
 * Takes ARGB pixels (a camera frame or a test image) and returns the text
 * of the QR code, or null when none is found; the text goes to the core
 * as it is (the core, not the reader, says whether it is a certificate).
 */
object QrDecoder {
    private val hints = mapOf(DecodeHintType.POSSIBLE_FORMATS to listOf(BarcodeFormat.QR_CODE), DecodeHintType.TRY_HARDER to true)

    fun decode(argb: IntArray, width: Int, height: Int): String? {
        val source = RGBLuminanceSource(width, height, argb)
        // The local-threshold binarizer first (uneven light on a phone's
        // camera); then the global one, which reads some evenly lit frames
        // (a screen, a print under a lamp) the local one misses.
        return read(BinaryBitmap(HybridBinarizer(source))) ?: read(BinaryBitmap(GlobalHistogramBinarizer(source)))
    }

    private fun read(bitmap: BinaryBitmap): String? = try {
        QRCodeReader().decode(bitmap, hints).text
    } catch (e: NotFoundException) {
        null
    } catch (e: com.google.zxing.ChecksumException) {
        null
    } catch (e: com.google.zxing.FormatException) {
        null
    }
}
