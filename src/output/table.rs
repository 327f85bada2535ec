//! Terminal tables.
//!
//! Tables are laid out from their content alone (never from the terminal width) and carry no
//! colours or other escape codes, so the same data always renders to the same text, whether
//! printed to a terminal, piped to a file or compared in a test.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

/// A number rounded for a reader (JSON and CSV files keep every digit): whole numbers as they
/// are, others with two decimals (one from 100 on, none from 10,000 on), and small ones with
/// three significant digits, so `2.3040000000000003` reads `2.30` and `0.000123` stays visible.
pub fn human_number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let d = human_decimals(v);
    format!("{v:.d$}")
}

/// The decimals [`human_number`] gives `v` (also used for a ± half-width next to it).
pub fn human_decimals(v: f64) -> usize {
    let a = v.abs();
    if !a.is_finite() || (v.fract() == 0.0 && a < 1e15) || a >= 10_000.0 {
        0
    } else if a >= 100.0 {
        1
    } else if a >= 0.1 {
        2
    } else {
        // Three significant digits: 0.0123, 0.000123.
        (-a.log10().floor()) as usize + 2
    }
}

/// A new table with the crate's fixed style: UTF-8 box drawing, no colours, content-based width.
fn new_table() -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty();
    table
}

/// Whether a cell reads as a number (possibly with a currency sign, unit or percent), so it is
/// right-aligned.
fn looks_numeric(s: &str) -> bool {
    let t = s.trim();
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    let t = t.strip_prefix('$').unwrap_or(t);
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '_')))
        .unwrap_or(t.len());
    let (number, suffix) = t.split_at(end);
    let number = number.replace([',', '_'], "");
    let suffix = suffix.trim();
    number.starts_with(|c: char| c.is_ascii_digit())
        && number.parse::<f64>().is_ok()
        && suffix.chars().count() <= 4
        && suffix.chars().all(|c| c.is_alphabetic() || c == '%')
}

fn cell(s: &str) -> Cell {
    let c = Cell::new(s);
    if looks_numeric(s) {
        c.set_alignment(CellAlignment::Right)
    } else {
        c
    }
}

/// A two-column table of named values under a title line, e.g. a run summary.
/// Numeric-looking values are right-aligned.
pub fn key_value_table(title: &str, rows: &[(String, String)]) -> String {
    let mut table = new_table();
    for (key, value) in rows {
        table.add_row(vec![Cell::new(key), cell(value)]);
    }
    if rows.is_empty() {
        return title.to_string();
    }
    if title.is_empty() {
        table.to_string()
    } else {
        format!("{title}\n{table}")
    }
}

/// A table with a header row; numeric-looking cells are right-aligned. Short rows are padded
/// with empty cells.
pub fn grid(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut table = new_table();
    if !headers.is_empty() {
        table.set_header(headers.iter().map(Cell::new).collect::<Vec<_>>());
    }
    for row in rows {
        table.add_row(row.iter().map(|s| cell(s)).collect::<Vec<_>>());
    }
    table.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_contains_values() {
        let rows = vec![
            ("scenario".to_string(), "quickstart".to_string()),
            ("total cost".to_string(), "$1234.50".to_string()),
            ("availability".to_string(), "99.93%".to_string()),
        ];
        let out = key_value_table("Summary", &rows);
        assert!(out.starts_with("Summary\n"));
        for (k, v) in &rows {
            assert!(
                out.contains(k.as_str()) && out.contains(v.as_str()),
                "{out}"
            );
        }
        // Numbers are right-aligned against the border.
        assert!(out.contains(" $1234.50 │"), "{out}");
        assert!(!out.contains('\u{1b}'), "no escape codes");
        assert_eq!(out, key_value_table("Summary", &rows), "deterministic");
    }

    #[test]
    fn grid_contains_values_and_is_stable() {
        let headers = ["variant", "cost", "availability"];
        let rows = vec![
            vec!["spot".to_string(), "$412".to_string(), "99.31%".to_string()],
            vec![
                "on-demand".to_string(),
                "$1105".to_string(),
                "99.95%".to_string(),
            ],
            vec!["short".to_string()],
        ];
        let out = grid(&headers, &rows);
        for text in [
            "variant",
            "availability",
            "spot",
            "$412",
            "99.95%",
            "on-demand",
            "short",
        ] {
            assert!(out.contains(text), "{out}");
        }
        let widths: Vec<usize> = out.lines().map(|l| l.chars().count()).collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "aligned:\n{out}");
        assert!(!out.contains('\u{1b}'));
        // Wide content is not wrapped to any terminal width.
        let long = "x".repeat(150);
        let out = grid(&["k"], &[vec![long.clone()]]);
        assert!(out.contains(&long));
    }

    #[test]
    fn empty_tables() {
        assert_eq!(key_value_table("Nothing", &[]), "Nothing");
        let _ = grid(&[], &[]);
        let out = grid(&["a", "b"], &[]);
        assert!(out.contains('a') && out.contains('b'));
    }

    #[test]
    fn human_numbers_are_rounded_for_reading() {
        let cases = [
            (271.0, "271"),
            (2.3040000000000003, "2.30"),
            (54.2399, "54.24"),
            (454.25, "454.2"), // one decimal from 100 on; an exact tie rounds to even
            (21_345.6, "21346"),
            (0.5, "0.50"),
            (0.0123456, "0.0123"),
            (0.000123456, "0.000123"),
            (-3.256, "-3.26"),
            (0.0, "0"),
        ];
        for (v, want) in cases {
            assert_eq!(human_number(v), want, "{v}");
        }
    }

    #[test]
    fn numeric_detection() {
        for s in ["12", "-3.5", "$1,234.50", "99.9%", "12 GiB", "3h", "1_000"] {
            assert!(looks_numeric(s), "{s}");
        }
        for s in ["spot", "", "abc1", "v1.2.3", "-", "%"] {
            assert!(!looks_numeric(s), "{s}");
        }
    }
}
