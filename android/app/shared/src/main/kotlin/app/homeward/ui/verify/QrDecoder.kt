package app.homeward.ui.verify

import com.google.zxing.BarcodeFormat
import com.google.zxing.BinaryBitmap
import com.google.zxing.DecodeHintType
import com.google.zxing.NotFoundException
import com.google.zxing.RGBLuminanceSource
import com.google.zxing.common.HybridBinarizer
import com.google.zxing.qrcode.QRCodeReader

/**
 * The camera's barcode reader, in shared code: ZXing core on both builds.
 * Takes ARGB pixels (a camera frame or a test image) and returns the text
 * of the QR code, or null when none is found; the text goes to the core
 * as it is (the core, not the reader, says whether it is a certificate).
 */
object QrDecoder {
    fun decode(argb: IntArray, width: Int, height: Int): String? = try {
        val source = RGBLuminanceSource(width, height, argb)
        QRCodeReader().decode(
            BinaryBitmap(HybridBinarizer(source)),
            mapOf(DecodeHintType.POSSIBLE_FORMATS to listOf(BarcodeFormat.QR_CODE), DecodeHintType.TRY_HARDER to true),
        ).text
    } catch (e: NotFoundException) {
        null
    } catch (e: com.google.zxing.ChecksumException) {
        null
    } catch (e: com.google.zxing.FormatException) {
        null
    }
}
