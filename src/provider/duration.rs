//! Go duration strings (`90s`, `15m`, `1h30m`), the format the hashicorp/aws provider uses for
//! `assume_role.duration`.

/// Parses a Go-style duration into whole seconds. Fractions of a second are rejected because
/// STS only takes whole seconds.
pub fn parse_seconds(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("expected a number in {text:?}"));
        }
        let number: u64 = rest[..digits]
            .parse()
            .map_err(|_| format!("number too large in {text:?}"))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "h" => 3600,
            "m" => 60,
            "s" => 1,
            "" => return Err(format!("missing unit (h, m or s) in {text:?}")),
            unit => return Err(format!("unknown unit {unit:?} in {text:?}; use h, m or s")),
        };
        rest = &rest[unit_len..];
        total = number
            .checked_mul(factor)
            .and_then(|part| total.checked_add(part))
            .ok_or_else(|| format!("duration {text:?} is too large"))?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::parse_seconds;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_seconds("15m"), Ok(900));
        assert_eq!(parse_seconds("1h30m"), Ok(5400));
        assert_eq!(parse_seconds("1h0m0s"), Ok(3600));
        assert_eq!(parse_seconds("3600s"), Ok(3600));
    }

    #[test]
    fn rejects_malformed_durations() {
        for bad in ["", "h", "15", "1.5h", "10d", "m15", "99999999999999999999h"] {
            assert!(parse_seconds(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
