//! SMS length accounting: how many billable segments a message costs.
//!
//! A single SMS carries 160 GSM-7 characters, or 70 UCS-2 code units when any character falls outside the
//! GSM-7 alphabet (one emoji or "₹" switches the whole message). A longer message is split into segments of
//! 153 GSM-7 characters or 67 UCS-2 units, the rest of each holding the reassembly header.

/// GSM 03.38 basic alphabet (ESC excluded: it only introduces the extension table).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡\
ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// GSM 03.38 extension table: each costs two septets (ESC + the character).
const GSM7_EXTENSION: &str = "^{}\\[~]|€\u{c}";

/// Segments needed to send `text` as one SMS: 0 for an empty text, else 1 up to 160 GSM-7 characters (70
/// UCS-2 units), then one per 153 (67). An estimate because carriers never split an extension character or a
/// surrogate pair across segments, which can add one segment in rare cases.
pub fn segments_estimate(text: &str) -> u32 {
    let (units, single, multi) = match gsm7_septets(text) {
        Some(septets) => (septets, 160, 153),
        None => (text.encode_utf16().count(), 70, 67),
    };
    let segments = match units {
        0 => 0,
        n if n <= single => 1,
        n => n.div_ceil(multi),
    };
    u32::try_from(segments).unwrap_or(u32::MAX)
}

/// Septets `text` takes in GSM-7, or `None` when a character needs UCS-2.
fn gsm7_septets(text: &str) -> Option<usize> {
    text.chars().try_fold(0usize, |septets, c| {
        if GSM7_BASIC.contains(c) {
            Some(septets + 1)
        } else if GSM7_EXTENSION.contains(c) {
            Some(septets + 2)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm7_boundaries() {
        assert_eq!(segments_estimate(""), 0);
        assert_eq!(segments_estimate("Hi"), 1);
        assert_eq!(segments_estimate(&"a".repeat(160)), 1);
        assert_eq!(segments_estimate(&"a".repeat(161)), 2);
        assert_eq!(segments_estimate(&"a".repeat(306)), 2);
        assert_eq!(segments_estimate(&"a".repeat(307)), 3);
        // Extension characters count double: 80 × "€" is 160 septets.
        assert_eq!(segments_estimate(&"€".repeat(80)), 1);
        assert_eq!(segments_estimate(&"{".repeat(81)), 2);
    }

    #[test]
    fn ucs2_boundaries() {
        assert_eq!(segments_estimate(&"₹".repeat(70)), 1);
        assert_eq!(segments_estimate(&format!("₹{}", "a".repeat(70))), 2);
        assert_eq!(segments_estimate(&"é".repeat(161)), 2, "é is GSM-7");
        assert_eq!(segments_estimate(&"ą".repeat(134)), 2);
        assert_eq!(segments_estimate(&"ą".repeat(135)), 3);
        // An emoji is two UTF-16 units.
        assert_eq!(segments_estimate(&"😀".repeat(35)), 1);
        assert_eq!(segments_estimate(&"😀".repeat(36)), 2);
    }
}
