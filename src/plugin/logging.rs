//! Logs to stderr as hclog JSON lines, the format go-plugin hosts parse into Terraform's log
//! with the right level: `{"@level":"debug","@message":"…","@module":"provider.NAME",
//! "@timestamp":"…", …fields}`.
//!
//! The level comes from `TF_LOG_PROVIDER`, else `TF_LOG`. Our own crate logs at that level;
//! every other crate (hyper, h2, rustls, aws-*) is capped at info, because their trace output is
//! noisy and may carry request contents.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// The crate whose events may log below info.
const OUR_CRATE: &str = "gwtrigger";

/// Installs the global subscriber. `module` is the hclog module name, e.g. `provider.gwtrigger`.
pub fn init(module: String) {
    let tf_log = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| std::env::var("TF_LOG").ok());
    let level = level_from_env(tf_log.as_deref());
    let filter = target_filter(level);
    // A second init (tests) keeps the first subscriber; nothing to report.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(HclogLayer { module })
        .try_init();
}

/// Terraform's level names; unset or `off` logs errors only, an unrecognised value means trace
/// (as Terraform itself treats it).
pub fn level_from_env(value: Option<&str>) -> Level {
    match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("off") | Some("error") => Level::ERROR,
        Some("warn") => Level::WARN,
        Some("info") => Level::INFO,
        Some("debug") => Level::DEBUG,
        _ => Level::TRACE,
    }
}

/// Our crate at `level`, every other crate at `level` but never below info. A `Targets`
/// filter, not `EnvFilter`: nothing here needs its span and field matching, whose regex
/// engine would otherwise be linked into (and loaded by) every launch of the provider.
pub fn target_filter(level: Level) -> Targets {
    Targets::new()
        .with_default(level.min(Level::INFO))
        .with_target(OUR_CRATE, level)
}

struct HclogLayer {
    module: String,
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let line = format_event(&self.module, event, SystemTime::now());
        let mut stderr = std::io::stderr().lock();
        // Nothing useful to do when stderr is gone.
        let _ = writeln!(stderr, "{line}");
    }
}

fn format_event(module: &str, event: &Event<'_>, now: SystemTime) -> String {
    let mut fields = FieldCollector::default();
    event.record(&mut fields);
    let mut object = serde_json::Map::new();
    object.insert(
        "@level".into(),
        event
            .metadata()
            .level()
            .as_str()
            .to_ascii_lowercase()
            .into(),
    );
    object.insert("@message".into(), fields.message.unwrap_or_default().into());
    object.insert("@module".into(), module.into());
    object.insert("@timestamp".into(), rfc3339_utc(now).into());
    object.insert("target".into(), event.metadata().target().into());
    for (key, value) in fields.fields {
        object.insert(key, value);
    }
    serde_json::Value::Object(object).to_string()
}

#[derive(Default)]
struct FieldCollector {
    message: Option<String>,
    fields: Vec<(String, serde_json::Value)>,
}

impl FieldCollector {
    fn put(&mut self, field: &Field, value: serde_json::Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.fields.push((field.name().to_string(), value));
        }
    }
}

impl Visit for FieldCollector {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, value.to_string().into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.put(field, format!("{value:?}").into());
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, without pulling in a date crate.
fn rfc3339_utc(time: SystemTime) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since_epoch.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        since_epoch.subsec_micros()
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    #[test]
    fn levels_follow_terraform_names() {
        assert_eq!(level_from_env(None), Level::ERROR);
        assert_eq!(level_from_env(Some("off")), Level::ERROR);
        assert_eq!(level_from_env(Some("DEBUG")), Level::DEBUG);
        assert_eq!(level_from_env(Some("info")), Level::INFO);
        assert_eq!(level_from_env(Some("warn")), Level::WARN);
        assert_eq!(level_from_env(Some("TRACE")), Level::TRACE);
        assert_eq!(level_from_env(Some("json")), Level::TRACE);
    }

    #[test]
    fn other_crates_are_capped_at_info() {
        for (level, ours, others) in [
            (Level::TRACE, Level::TRACE, Level::INFO),
            (Level::DEBUG, Level::DEBUG, Level::INFO),
            (Level::WARN, Level::WARN, Level::WARN),
            (Level::ERROR, Level::ERROR, Level::ERROR),
        ] {
            let filter = target_filter(level);
            for (target, cap) in [("gwtrigger::aws::fetch", ours), ("h2::codec", others)] {
                for candidate in [
                    Level::ERROR,
                    Level::WARN,
                    Level::INFO,
                    Level::DEBUG,
                    Level::TRACE,
                ] {
                    assert_eq!(
                        filter.would_enable(target, &candidate),
                        candidate <= cap,
                        "{level} filter, {target} at {candidate}"
                    );
                }
            }
        }
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let t = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
        assert_eq!(rfc3339_utc(t), "2023-11-14T22:13:20.123456Z");
        assert_eq!(rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert!(rfc3339_utc(leap).starts_with("2000-02-29T"));
    }

    /// Captures formatted lines instead of writing them to stderr.
    struct Capture(Arc<Mutex<Vec<String>>>);

    impl<S: Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
            let line = format_event("provider.test", event, UNIX_EPOCH);
            self.0.lock().unwrap().push(line);
        }
    }

    #[test]
    fn events_become_hclog_json() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Capture(lines.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!(type_name = "gwtrigger", count = 3, "reading data source");
        });
        let lines = lines.lock().unwrap();
        let v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(v["@level"], "debug");
        assert_eq!(v["@message"], "reading data source");
        assert_eq!(v["@module"], "provider.test");
        assert_eq!(v["@timestamp"], "1970-01-01T00:00:00.000000Z");
        assert_eq!(v["type_name"], "gwtrigger");
        assert_eq!(v["count"], 3);
    }
}
