//! One HTTP answer as `explain` reads it: status, headers, body. Built from a live response by
//! `send`, or parsed from a saved `curl -si` answer (status line, headers, blank line, body).

/// The answer the gateway (or whatever stood in front of it) gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// Header names as sent, in order; look them up with [`Answer::header`].
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    /// Parses a saved `curl -si` (or `curl -sIi`, `-siL`) answer. With several header blocks
    /// (`100 Continue`, a proxy's `200 Connection established`, redirects followed with `-L`)
    /// the last one is the answer.
    pub fn parse_saved(text: &str) -> Result<Answer, String> {
        let text = text.trim_start_matches('\u{feff}');
        let mut rest = text.trim_start();
        if !starts_status_line(rest) {
            let first = rest
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(60)
                .collect::<String>();
            return Err(format!(
                "the file does not start with an HTTP status line (it starts {first:?}): save the answer \
                 with its status line and headers, e.g. `curl -si URL > answer.txt`"
            ));
        }
        loop {
            let (head, body) = split_head(rest);
            let mut lines = head.lines();
            let status_line = lines.next().unwrap_or_default();
            let status = parse_status(status_line)?;
            let headers = lines
                .filter_map(|line| line.split_once(':'))
                .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
                .filter(|(name, _)| !name.is_empty())
                .collect();
            let next = body.trim_start_matches(['\r', '\n']);
            if starts_status_line(next) {
                rest = next;
                continue;
            }
            return Ok(Answer {
                status,
                headers,
                body: body.to_string(),
            });
        }
    }
}

fn starts_status_line(text: &str) -> bool {
    text.starts_with("HTTP/")
}

/// The header block (up to the first blank line) and what follows it.
fn split_head(text: &str) -> (&str, &str) {
    for separator in ["\r\n\r\n", "\n\n"] {
        if let Some(at) = text.find(separator) {
            // The shorter head wins when a file mixes line endings.
            let other = if separator == "\r\n\r\n" {
                "\n\n"
            } else {
                "\r\n\r\n"
            };
            if text.find(other).is_some_and(|o| o < at) {
                continue;
            }
            return (&text[..at], &text[at + separator.len()..]);
        }
    }
    (text, "")
}

fn parse_status(line: &str) -> Result<u16, String> {
    line.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .filter(|code| (100..1000).contains(code))
        .ok_or_else(|| {
            format!(
                "{:?} is not an HTTP status line (e.g. HTTP/1.1 403 Forbidden)",
                line.trim()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_curl_answer_with_crlf_and_keeps_the_body() {
        let saved = "HTTP/2 403 \r\ncontent-type: application/json\r\nx-amzn-RequestId: 5f1e-42\r\n\
                     x-amzn-ErrorType: MissingAuthenticationTokenException\r\n\r\n{\"message\":\"Missing Authentication Token\"}";
        let answer = Answer::parse_saved(saved).unwrap();
        assert_eq!(answer.status, 403);
        assert_eq!(answer.header("X-AMZN-REQUESTID"), Some("5f1e-42"));
        assert_eq!(
            answer.body,
            "{\"message\":\"Missing Authentication Token\"}"
        );
    }

    #[test]
    fn the_last_header_block_is_the_answer() {
        let saved = "HTTP/1.1 200 Connection established\n\nHTTP/1.1 100 Continue\n\n\
                     HTTP/1.1 403 Forbidden\nx-amzn-ErrorType: ForbiddenException\n\n{\"message\":\"Forbidden\"}\n";
        let answer = Answer::parse_saved(saved).unwrap();
        assert_eq!(answer.status, 403);
        assert_eq!(
            answer.header("x-amzn-errortype"),
            Some("ForbiddenException")
        );
        assert_eq!(answer.body.trim(), "{\"message\":\"Forbidden\"}");
    }

    #[test]
    fn a_body_alone_is_refused_with_how_to_save_one() {
        let err = Answer::parse_saved("{\"message\":\"Forbidden\"}").unwrap_err();
        assert!(err.contains("curl -si"), "{err}");
        assert!(Answer::parse_saved("HTTP/1.1 abc\n\n").is_err());
        let head_only = Answer::parse_saved("HTTP/1.1 204 No Content\nx-a: 1").unwrap();
        assert_eq!((head_only.status, head_only.body.as_str()), (204, ""));
    }
}
