//! Kubernetes' resource.Quantity as manifests write it: a signed decimal number with an
//! optional exponent (`1e3`, `129e6`) or suffix, decimal SI (`n`, `u`, `m`, `k`, `M`, `G`, `T`,
//! `P`, `E`) or binary (`Ki` ... `Ei`). Values are exact: kept in nano-units in an i128. As
//! Kubernetes' `MilliValue` and `Value` do, a cpu value is rounded up to a whole millicore and a
//! memory value up to a whole byte.

const NANO: i128 = 1_000_000_000;

/// The value in nano-units (`1` → 10⁹), or why the text is not a quantity.
pub fn nano_units(text: &str) -> Result<i128, String> {
    let s = text.trim();
    let bad = || {
        format!(
            "'{text}' is not a Kubernetes quantity (a number with an optional exponent or suffix, \
             e.g. 500m, 1.5, 2e3, 128974848, 129e6, 123Mi)"
        )
    };
    let (sign, body) = match s.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let digits_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (number, suffix) = body.split_at(digits_end);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 {
        return Err(bad());
    }
    // (power of ten, power of two) of the suffix.
    let (exp10, exp2): (i32, u32) = match suffix {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        e if e.starts_with(['e', 'E']) => match e[1..].parse::<i32>() {
            Ok(x) if (-30..=30).contains(&x) => (x, 0),
            _ => return Err(bad()),
        },
        _ => return Err(bad()),
    };
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    if int_part.len() + frac_part.len() > 30 {
        return Err(format!("'{text}' is too large"));
    }
    let mantissa: i128 = format!("{int_part}{frac_part}")
        .parse()
        .map_err(|_| bad())?;
    // value = mantissa × 10^(exp10 − frac digits) × 2^exp2, in nano-units: × 10^9.
    let mut scale10 = exp10 - frac_part.len() as i32 + 9;
    let mut value = mantissa;
    let too_large = || format!("'{text}' is too large");
    value = value.checked_mul(1i128 << exp2).ok_or_else(too_large)?;
    while scale10 > 0 {
        value = value.checked_mul(10).ok_or_else(too_large)?;
        scale10 -= 1;
    }
    while scale10 < 0 {
        // Below a nano-unit: round up, as Kubernetes rounds a quantity up to its precision.
        value = value / 10 + i128::from(value % 10 != 0);
        scale10 += 1;
    }
    Ok(sign * value)
}

fn non_negative(text: &str, what: &str) -> Result<i128, String> {
    let v = nano_units(text)?;
    if v < 0 {
        return Err(format!(
            "Invalid value: \"{text}\": {what} must be greater than or equal to 0"
        ));
    }
    Ok(v)
}

fn checked(v: i128, text: &str) -> Result<u64, String> {
    match u64::try_from(v) {
        Ok(v) if v <= crate::quantity::MAX_RESOURCE => Ok(v),
        _ => Err(format!("'{text}' is absurdly large")),
    }
}

/// Millicores, rounded up (`MilliValue`).
pub fn cpu_millis(text: &str) -> Result<u64, String> {
    let v = non_negative(text, "cpu")?;
    checked((v + 999_999) / 1_000_000, text)
}

/// Bytes, rounded up (`Value`).
pub fn bytes(text: &str) -> Result<u64, String> {
    let v = non_negative(text, "memory")?;
    checked((v + NANO - 1) / NANO, text)
}

/// A whole count (devices, pods): a quantity that is an integer.
pub fn count(text: &str) -> Result<u64, String> {
    let v = non_negative(text, "a count")?;
    if v % NANO != 0 {
        return Err(format!("'{text}' is not a whole number"));
    }
    checked(v / NANO, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_read_as_kubernetes_reads_them() {
        // (text, millicores, bytes); None where the text is refused.
        let cases: &[(&str, Option<u64>, Option<u64>)] = &[
            ("500m", Some(500), Some(1)), // 0.5 bytes rounds up to 1
            ("2", Some(2000), Some(2)),
            ("0.5", Some(500), Some(1)),
            ("1e3", Some(1_000_000), Some(1000)),
            ("129e6", Some(129_000_000_000), Some(129_000_000)),
            ("1k", Some(1_000_000), Some(1000)),
            ("1Ki", Some(1_024_000), Some(1024)),
            ("123Mi", Some(123 * 1024 * 1000 * 1024), Some(123 << 20)),
            ("128974848", Some(128_974_848_000), Some(128_974_848)),
            ("100n", Some(1), Some(1)), // 10⁻⁷ cores rounds up to 1m
            ("1.5Gi", Some(1_610_612_736_000), Some(1_610_612_736)),
            ("+1", Some(1000), Some(1)),
            ("0.0001", Some(1), Some(1)), // 0.1m rounds up to 1m
            ("-1", None, None),
            ("1.2.3", None, None),
            ("2 cores", None, None),
            ("", None, None),
            ("5Kb", None, None),
        ];
        for &(text, cpu, mem) in cases {
            assert_eq!(cpu_millis(text).ok(), cpu, "cpu {text}");
            assert_eq!(bytes(text).ok(), mem, "memory {text}");
        }
        assert!(
            cpu_millis("-1")
                .unwrap_err()
                .contains("greater than or equal to 0")
        );
        assert!(bytes("1e30").unwrap_err().contains("too large"));
        assert!(bytes("1e17").unwrap_err().contains("absurdly large"));
        assert_eq!(count("4").unwrap(), 4);
        assert!(count("0.5").is_err());
    }
}
