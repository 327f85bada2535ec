//! `report.html`: one self-contained page per run, comparison or sweep (inline SVG charts,
//! inline CSS and a few lines of vanilla JavaScript; nothing is fetched from the network), so
//! a result can be mailed or archived as one file.
//!
//! The page is built from the same data as the other outputs and holds nothing that depends
//! on the clock, so it is byte-identical for the same scenario and seed.

use std::fmt::Write as _;

use serde_json::Value;

/// Most events the page lists (the rest stay in `events.csv`).
pub const MAX_EVENTS: usize = 5_000;

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A page being built: sections in order, each with an anchor in the contents line.
pub struct Report {
    title: String,
    subtitle: String,
    sections: Vec<(String, String, String)>,
}

impl Report {
    pub fn new(title: &str, subtitle: &str) -> Report {
        Report {
            title: title.to_string(),
            subtitle: subtitle.to_string(),
            sections: Vec::new(),
        }
    }

    /// Adds a section of ready-made HTML.
    pub fn section(&mut self, id: &str, heading: &str, html: String) {
        self.sections
            .push((id.to_string(), heading.to_string(), html));
    }

    /// The whole page.
    pub fn render(&self) -> String {
        let mut nav = String::new();
        for (id, heading, _) in &self.sections {
            write!(nav, "<a href=\"#{id}\">{}</a> ", escape(heading)).unwrap();
        }
        let mut body = String::new();
        for (id, heading, html) in &self.sections {
            write!(
                body,
                "<section id=\"{id}\">\n<h2>{}</h2>\n{html}\n</section>\n",
                escape(heading)
            )
            .unwrap();
        }
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
             <header><h1>{title}</h1><p class=\"sub\">{subtitle}</p><nav>{nav}</nav></header>\n\
             <main>\n{body}</main>\n<script>{JS}</script>\n</body>\n</html>\n",
            title = escape(&self.title),
            subtitle = escape(&self.subtitle),
        )
    }
}

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#fff;border-bottom:1px solid #ddd;padding:12px 24px;position:sticky;top:0;z-index:1}
h1{font-size:1.4em;margin:0}h2{font-size:1.15em;margin:0 0 8px}
.sub{margin:2px 0 6px;color:#555}nav a{margin-right:12px;color:#0060a0;text-decoration:none}
main{padding:8px 24px 40px;max-width:1400px}
section{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:12px 16px;margin:14px 0}
table{border-collapse:collapse;font-size:.9em}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f6f6;padding:10px;overflow:auto;font-size:.85em;max-height:480px}
svg{max-width:100%;height:auto}.note{color:#555;font-size:.9em}
.scroll{max-height:520px;overflow:auto}input,select{margin:0 8px 8px 0;padding:3px}
";

/// Filters the event log by text and event type.
const JS: &str = "
(function(){
  var t=document.getElementById('event-table');if(!t)return;
  var q=document.getElementById('event-filter'),k=document.getElementById('event-kind'),
      c=document.getElementById('event-count'),rows=t.tBodies[0].rows;
  function apply(){
    var s=q.value.toLowerCase(),e=k.value,n=0;
    for(var i=0;i<rows.length;i++){
      var r=rows[i],ok=(!e||r.cells[3].textContent===e)&&(!s||r.textContent.toLowerCase().indexOf(s)>=0);
      r.style.display=ok?'':'none';if(ok)n++;
    }
    c.textContent=n+' shown';
  }
  q.addEventListener('input',apply);k.addEventListener('change',apply);apply();
})();
";

/// A table; cells that parse as numbers are right-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>], id: Option<&str>) -> String {
    let mut s = String::new();
    match id {
        Some(id) => write!(s, "<table id=\"{id}\">").unwrap(),
        None => s.push_str("<table>"),
    }
    if headers.iter().any(|h| !h.is_empty()) {
        s.push_str("<thead><tr>");
        for h in headers {
            write!(s, "<th>{}</th>", escape(h)).unwrap();
        }
        s.push_str("</tr></thead>");
    }
    s.push_str("<tbody>\n");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let numeric = c
                .trim_start_matches(['$', '-', '+'])
                .chars()
                .next()
                .is_some_and(|ch| ch.is_ascii_digit());
            if numeric {
                write!(s, "<td class=\"n\">{}</td>", escape(c)).unwrap();
            } else {
                write!(s, "<td>{}</td>", escape(c)).unwrap();
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>");
    s
}

/// An SVG chart inline, or a note if the file could not be read.
pub fn svg(text: Option<String>, what: &str) -> String {
    match text {
        // Drop the XML declaration; the rest is an <svg> element.
        Some(t) => t
            .trim_start()
            .strip_prefix("<?xml")
            .and_then(|r| r.split_once("?>"))
            .map_or(t.clone(), |(_, rest)| rest.to_string()),
        None => format!("<p class=\"note\">{} was not written.</p>", escape(what)),
    }
}

/// The provenance block of a summary: version, seed, variant, overrides, input hashes.
pub fn provenance(summary: &Value) -> String {
    let p = &summary["provenance"];
    let mut rows = vec![vec![
        "clustersim".to_string(),
        p["clustersim_version"].as_str().unwrap_or("").to_string(),
    ]];
    if let Some(seed) = summary.get("seed") {
        rows.push(vec!["seed".into(), seed.to_string()]);
    }
    if let Some(v) = p.get("variant").and_then(Value::as_str) {
        rows.push(vec!["variant".into(), v.to_string()]);
    }
    let list = |v: &Value| -> String {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("  ")
            })
            .unwrap_or_default()
    };
    for (key, label) in [
        ("variant_set", "variant overrides"),
        ("set", "--set overrides"),
    ] {
        let text = list(&p[key]);
        if !text.is_empty() {
            rows.push(vec![label.into(), text]);
        }
    }
    if let Some(inputs) = p["inputs"].as_array() {
        for i in inputs {
            rows.push(vec![
                format!("input {}", i["file"].as_str().unwrap_or("")),
                format!("fnv1a64 {}", i["fnv1a64"].as_str().unwrap_or("")),
            ]);
        }
    }
    table(&["", ""], &rows, None)
}

/// A mapping of numbers (cost by pool, by namespace...) as a two-column table.
pub fn number_map(v: &Value, value_header: &str, format: impl Fn(f64) -> String) -> Option<String> {
    let m = v.as_object()?;
    if m.is_empty() {
        return None;
    }
    let rows: Vec<Vec<String>> = m
        .iter()
        .filter_map(|(k, x)| Some(vec![k.clone(), format(x.as_f64()?)]))
        .collect();
    Some(table(&["", value_header], &rows, None))
}

/// The event log of an `events.csv` file, read record by record (a huge log costs no memory).
pub fn event_log_file(path: &std::path::Path) -> String {
    match std::fs::File::open(path) {
        Ok(f) => event_log_reader(std::io::BufReader::new(f)),
        Err(_) => "<p class=\"note\">No event log: run with --events to include one.</p>".into(),
    }
}

/// The event log from `events.csv` text: at most [`MAX_EVENTS`] rows, with a text filter and
/// an event-type filter.
pub fn event_log(csv: &str) -> String {
    event_log_reader(csv.as_bytes())
}

fn event_log_reader(input: impl std::io::Read) -> String {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) if !h.is_empty() => h.iter().map(str::to_string).collect(),
        _ => return "<p class=\"note\">No events.</p>".into(),
    };
    let mut rows = Vec::new();
    let mut total = 0usize;
    let mut kinds: std::collections::BTreeSet<String> = Default::default();
    for record in reader.records().map_while(Result::ok) {
        total += 1;
        if rows.len() < MAX_EVENTS {
            let cells: Vec<String> = record.iter().map(str::to_string).collect();
            if let Some(k) = cells.get(3) {
                kinds.insert(k.clone());
            }
            rows.push(cells);
        }
    }
    let mut s = String::from(
        "<input id=\"event-filter\" type=\"search\" placeholder=\"filter: pod, node, message...\">\
         <select id=\"event-kind\"><option value=\"\">every event</option>",
    );
    for k in &kinds {
        write!(s, "<option>{}</option>", escape(k)).unwrap();
    }
    s.push_str("</select><span id=\"event-count\" class=\"note\"></span>");
    if total > rows.len() {
        write!(
            s,
            "<p class=\"note\">The first {} of {total} events; events.csv has every one.</p>",
            rows.len()
        )
        .unwrap();
    }
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    write!(
        s,
        "<div class=\"scroll\">{}</div>",
        table(&h, &rows, Some("event-table"))
    )
    .unwrap();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_the_page_is_whole() {
        let mut r = Report::new("a <b> & c", "s");
        r.section(
            "x",
            "X",
            table(&["h"], &[vec!["<script>alert(1)</script>".into()]], None),
        );
        let page = r.render();
        assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
        assert!(page.contains("a &lt;b&gt; &amp; c"));
        assert!(
            !page.contains("<script>alert"),
            "user text must not become markup"
        );
        // Nothing is fetched: no external URLs.
        assert!(!page.contains("http://") && !page.contains("https://"));
    }

    #[test]
    fn event_log_is_capped_with_a_note() {
        let mut csv = String::from("time_s,object,name,event,node,message\n");
        for i in 0..(MAX_EVENTS + 10) {
            csv.push_str(&format!(
                "{i},pod,p-{i},Scheduled,n-1,\"a, \"\"quoted\"\" message\"\n"
            ));
        }
        let html = event_log(&csv);
        assert_eq!(
            html.matches("<tr>").count(),
            MAX_EVENTS + 1,
            "header + capped rows"
        );
        assert!(html.contains(&format!(
            "The first {MAX_EVENTS} of {} events",
            MAX_EVENTS + 10
        )));
        assert!(html.contains("a, &quot;quoted&quot; message"));
        assert!(html.contains("<option>Scheduled</option>"));
    }
}
