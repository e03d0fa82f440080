//! Keeping secrets out of what `explain` prints and logs: header values of `x-api-key`,
//! `Authorization`, cookies and anything named like a token or secret are shown as
//! `<redacted>`, and every secret value the caller sent is scrubbed from text that came back
//! (an answer or a log line may echo the request's headers).

/// What replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// Words that make a header (or a field echoed in a body or log line) secret.
const SECRET_WORDS: [&str; 9] = [
    "api-key",
    "apikey",
    "api_key",
    "authorization",
    "cookie",
    "token",
    "secret",
    "password",
    "signature",
];

/// Whether a header's value must never be shown.
pub fn is_secret_header(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    SECRET_WORDS.iter().any(|word| name.contains(word)) || name == "x-amz-credential"
}

/// `Name: value` for display, the value redacted when the name is secret.
pub fn show_header(name: &str, value: &str) -> String {
    if is_secret_header(name) {
        format!("{name}: {REDACTED}")
    } else {
        format!("{name}: {value}")
    }
}

/// Scrubs text that may echo the request: every known secret value, then the value of every
/// `secret-name=value`, `secret-name: value` or `"secret-name":"value"` pair.
#[derive(Debug, Clone, Default)]
pub struct Scrubber {
    /// Secret values sent (at least 4 characters, so scrubbing cannot eat ordinary words).
    values: Vec<String>,
}

impl Scrubber {
    /// Collects the values of the secret headers among `headers`.
    pub fn from_headers<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Scrubber {
        let mut values: Vec<String> = Vec::new();
        for (name, value) in headers {
            if !is_secret_header(name) {
                continue;
            }
            let value = value.trim();
            values.push(value.to_string());
            // `Bearer abc`, `AWS4-HMAC-SHA256 Credential=…`: the parts too.
            values.extend(value.split([' ', ',', ';', '=']).map(str::to_string));
        }
        values.retain(|v| v.len() >= 4);
        // Longest first, so a value is scrubbed whole before any part of it.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Scrubber { values }
    }

    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), REDACTED);
            }
        }
        redact_pairs(&out)
    }
}

/// Redacts the value after every secret-looking name followed by `=` or `:`.
fn redact_pairs(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some((start, word)) = SECRET_WORDS
        .iter()
        .filter_map(|w| lower[search..].find(w).map(|at| (search + at, *w)))
        .min_by_key(|(at, _)| *at)
    {
        // The end of the name (letters, digits, '-', '_' go on), a closing quote, then `=`/`:`.
        let mut at = start + word.len();
        let bytes = lower.as_bytes();
        while at < bytes.len()
            && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'-' || bytes[at] == b'_')
        {
            at += 1;
        }
        let mut value_start = at;
        while value_start < bytes.len() && matches!(bytes[value_start], b'"' | b'\'' | b' ') {
            value_start += 1;
        }
        if value_start < bytes.len() && matches!(bytes[value_start], b'=' | b':') {
            value_start += 1;
            while value_start < bytes.len() && matches!(bytes[value_start], b'"' | b'\'' | b' ') {
                value_start += 1;
            }
            let value_end = (value_start..bytes.len())
                .find(|&i| {
                    matches!(
                        bytes[i],
                        b'"' | b'\'' | b',' | b'}' | b')' | b'&' | b'\n' | b'\r' | b';'
                    )
                })
                .unwrap_or(bytes.len());
            let value = &text[value_start..value_end];
            if !value.is_empty() && value != REDACTED && !is_plain_value(value) {
                out.push_str(&text[copied..value_start]);
                out.push_str(REDACTED);
                copied = value_end;
            }
            search = value_end.max(start + 1);
        } else {
            search = start + 1;
        }
        if search >= text.len() {
            break;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Values that are never secrets (`apiKeyRequired = true`).
fn is_plain_value(value: &str) -> bool {
    let value = value.trim();
    matches!(value, "true" | "false" | "null" | "none" | "None")
        || value.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_headers_are_named_but_never_shown() {
        for name in [
            "x-api-key",
            "Authorization",
            "Cookie",
            "X-Amz-Security-Token",
            "x-my-secret",
            "X-Auth-Token",
        ] {
            assert!(is_secret_header(name), "{name}");
            assert_eq!(
                show_header(name, "s3cr3t-value"),
                format!("{name}: <redacted>")
            );
        }
        assert_eq!(
            show_header("Accept", "application/json"),
            "Accept: application/json"
        );
    }

    #[test]
    fn echoed_values_and_pairs_are_scrubbed() {
        let scrubber = Scrubber::from_headers([
            ("x-api-key", "AbCdEfGh1234567890"),
            ("Authorization", "Bearer eyJhbGciOi.x.y"),
        ]);
        let echoed =
            "{\"headers\":{\"X-Api-Key\":\"AbCdEfGh1234567890\"},\"seen\":\"eyJhbGciOi.x.y\"}";
        let clean = scrubber.scrub(echoed);
        assert!(
            !clean.contains("AbCdEfGh") && !clean.contains("eyJhbGciOi"),
            "{clean}"
        );
        let log = "Method request headers: {x-api-key=OtherKey0000, Accept=*/*, authorization=Basic dXNlcg==}";
        let clean = Scrubber::default().scrub(log);
        assert!(
            !clean.contains("OtherKey0000") && !clean.contains("dXNlcg"),
            "{clean}"
        );
        assert!(clean.contains("Accept=*/*"), "{clean}");
        for plain in [
            "Missing Authentication Token",
            "User is not authorized to access this resource",
        ] {
            assert_eq!(Scrubber::default().scrub(plain), plain);
        }
    }
}
