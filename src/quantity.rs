//! Resources and Kubernetes quantity syntax.
//!
//! cpu is held in millicores, memory in bytes and gpu in milli-GPU (1000 per device, so a pod may
//! take a share of one device), all as integers, so packing
//! arithmetic is exact. Files use Kubernetes quantities: `cpu: 500m`, `cpu: 2`, `cpu: 0.5`,
//! `memory: 1Gi`, `memory: 512Mi`, `memory: 1G`, `memory: 1073741824`.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};

use crate::time::parse_decimal_scaled;

/// A vector of schedulable resources.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Resources {
    /// Millicores (1 cpu = 1000).
    pub cpu_m: u64,
    /// Bytes.
    pub memory: u64,
    /// Milli-GPU: 1000 per device. A whole-GPU request is a multiple of 1000; a request below
    /// 1000 is a share of one device.
    pub gpu: u64,
}

/// The largest value any single resource may take (about 10^15 millicores or a petabyte and a
/// bit): big enough for any real node. Cluster-wide sums are kept in range by the scenario loader,
/// which refuses pools whose count × node exceeds 2^60 in all.
pub const MAX_RESOURCE: u64 = 1 << 52;

impl Resources {
    pub const ZERO: Resources = Resources {
        cpu_m: 0,
        memory: 0,
        gpu: 0,
    };

    pub fn new(cpu_m: u64, memory: u64, gpu: u64) -> Self {
        Resources { cpu_m, memory, gpu }
    }

    /// True when every component of `self` is at most the matching component of `other`.
    #[inline]
    pub fn fits_in(&self, other: &Resources) -> bool {
        self.cpu_m <= other.cpu_m && self.memory <= other.memory && self.gpu <= other.gpu
    }

    /// Componentwise subtraction that stops at zero.
    pub fn saturating_sub(&self, other: &Resources) -> Resources {
        Resources {
            cpu_m: self.cpu_m.saturating_sub(other.cpu_m),
            memory: self.memory.saturating_sub(other.memory),
            gpu: self.gpu.saturating_sub(other.gpu),
        }
    }

    /// Componentwise maximum (named apart from `Ord::max`, which compares whole vectors).
    pub fn componentwise_max(&self, other: &Resources) -> Resources {
        Resources {
            cpu_m: self.cpu_m.max(other.cpu_m),
            memory: self.memory.max(other.memory),
            gpu: self.gpu.max(other.gpu),
        }
    }
}

impl Add for Resources {
    type Output = Resources;
    fn add(self, o: Resources) -> Resources {
        Resources {
            cpu_m: self.cpu_m + o.cpu_m,
            memory: self.memory + o.memory,
            gpu: self.gpu + o.gpu,
        }
    }
}

impl AddAssign for Resources {
    fn add_assign(&mut self, o: Resources) {
        *self = *self + o;
    }
}

impl Sub for Resources {
    type Output = Resources;
    /// Exact subtraction; callers guarantee `o` fits in `self` (a pod's requests are only
    /// released from the node that holds them).
    fn sub(self, o: Resources) -> Resources {
        debug_assert!(o.fits_in(&self), "resource underflow: {self:?} - {o:?}");
        self.saturating_sub(&o)
    }
}

impl SubAssign for Resources {
    fn sub_assign(&mut self, o: Resources) {
        *self = *self - o;
    }
}

impl fmt::Display for Resources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cpu={}, memory={}",
            format_cpu(self.cpu_m),
            format_memory(self.memory)
        )?;
        if self.gpu > 0 {
            write!(f, ", gpu={}", format_gpu(self.gpu))?;
        }
        Ok(())
    }
}

/// Milli-GPU as devices: `2000` → `2`, `460` → `0.46`.
pub fn format_gpu(milli: u64) -> String {
    format_milli(milli)
}

/// Thousandths as a decimal without trailing zeros: `2000` → `2`, `460` → `0.46`.
pub fn format_milli(milli: u64) -> String {
    if milli.is_multiple_of(1000) {
        format!("{}", milli / 1000)
    } else {
        let s = format!("{}.{:03}", milli / 1000, milli % 1000);
        s.trim_end_matches('0').to_string()
    }
}

/// Most GPU devices on one node, or taken by one pod (device sets are 64-bit masks).
pub const MAX_GPUS_PER_NODE: u64 = 64;

/// A whole number of GPU devices → milli-GPU.
pub fn parse_gpu(text: &str) -> Result<u64, String> {
    let devices = parse_count(text)?;
    check_max(devices as u128 * 1000, text)
}

/// Devices and milli-GPU per device of a request: `(0, 0)` none, `(1, m)` a share of one
/// device, `(k, 1000)` k whole devices. `None` for a request that is neither (1.5 GPUs).
pub fn gpu_shape(milli: u64) -> Option<(u32, u32)> {
    match milli {
        0 => Some((0, 0)),
        m if m < 1000 => Some((1, m as u32)),
        m if m.is_multiple_of(1000) && m / 1000 <= MAX_GPUS_PER_NODE => {
            Some(((m / 1000) as u32, 1000))
        }
        _ => None,
    }
}

/// `1500` → `1500m`, `2000` → `2`.
pub fn format_cpu(cpu_m: u64) -> String {
    if cpu_m.is_multiple_of(1000) {
        format!("{}", cpu_m / 1000)
    } else {
        format!("{cpu_m}m")
    }
}

/// Bytes in the largest binary unit that divides them: `1073741824` → `1Gi`.
pub fn format_memory(bytes: u64) -> String {
    for (suffix, mult) in [
        ("Ti", 1u64 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ] {
        if bytes >= mult && bytes.is_multiple_of(mult) {
            return format!("{}{suffix}", bytes / mult);
        }
    }
    bytes.to_string()
}

/// Parses a cpu quantity into millicores: `500m`, `2`, `0.5`, `1.25`.
pub fn parse_cpu(text: &str) -> Result<u64, String> {
    let s = text.trim();
    let value = if let Some(milli) = s.strip_suffix('m') {
        parse_decimal_scaled(milli, 1).ok_or_else(|| {
            format!("'{text}' is not a cpu quantity; expected e.g. 500m, 2 or 0.5")
        })?
    } else {
        parse_decimal_scaled(s, 1000).ok_or_else(|| {
            if s.parse::<f64>().is_ok() {
                format!("'{text}' is finer than 1m (one millicore)")
            } else {
                format!("'{text}' is not a cpu quantity; expected e.g. 500m, 2 or 0.5")
            }
        })?
    };
    check_max(value, text)
}

/// Parses a memory quantity into bytes: `1Gi`, `512Mi`, `1G`, `100M`, `1000`, `1.5Gi`.
pub fn parse_memory(text: &str) -> Result<u64, String> {
    const SUFFIXES: [(&str, u128); 12] = [
        ("Ki", 1 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("Ti", 1 << 40),
        ("Pi", 1 << 50),
        ("Ei", 1 << 60),
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
        ("P", 1_000_000_000_000_000),
        ("E", 1_000_000_000_000_000_000),
    ];
    let s = text.trim();
    let (number, mult) = SUFFIXES
        .iter()
        .find_map(|(suffix, mult)| s.strip_suffix(suffix).map(|n| (n, *mult)))
        .unwrap_or((s, 1));
    let value = parse_decimal_scaled(number, mult).ok_or_else(|| {
        format!("'{text}' is not a memory quantity; expected e.g. 512Mi, 1Gi, 1G or a byte count")
    })?;
    let value = u64::try_from(value).map_err(|_| format!("'{text}' is too large"))?;
    check_max(value as u128, text)
}

/// Parses a whole device count.
pub fn parse_count(text: &str) -> Result<u64, String> {
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a whole number of devices"))?;
    check_max(value as u128, text)
}

fn check_max(value: u128, text: &str) -> Result<u64, String> {
    if value > MAX_RESOURCE as u128 {
        Err(format!(
            "'{text}' is absurdly large (the limit is {MAX_RESOURCE} units)"
        ))
    } else {
        Ok(value as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_quantities() {
        for (text, milli) in [
            ("500m", 500),
            ("2", 2000),
            ("0.5", 500),
            ("1.25", 1250),
            ("0", 0),
            ("100m", 100),
        ] {
            assert_eq!(parse_cpu(text), Ok(milli), "{text}");
        }
        for text in ["", "abc", "1.0005", "-1", "5Gi", "1e3"] {
            assert!(parse_cpu(text).is_err(), "{text} should be rejected");
        }
    }

    #[test]
    fn memory_quantities() {
        for (text, bytes) in [
            ("1Gi", 1u64 << 30),
            ("512Mi", 512 << 20),
            ("1G", 1_000_000_000),
            ("100M", 100_000_000),
            ("1.5Gi", 3 << 29),
            ("1000", 1000),
            ("64Ki", 65536),
        ] {
            assert_eq!(parse_memory(text), Ok(bytes), "{text}");
        }
        for text in ["", "1 GB", "Gi", "1.5", "-1Gi", "1Zi", "99999999Ei"] {
            assert!(parse_memory(text).is_err(), "{text} should be rejected");
        }
    }

    #[test]
    fn fits_and_dominant_share() {
        let node = Resources::new(8000, 32 << 30, 0);
        let pod = Resources::new(2000, 16 << 30, 0);
        assert!(pod.fits_in(&node));
        assert!(!Resources::new(8001, 0, 0).fits_in(&node));
        // cpu share 2/8 = 0.25, memory share 16/32 = 0.5 → dominant 0.5 (scaled by 1e9)
        assert_eq!(
            crate::scheduler::queue::dominant_share(&pod, &node),
            500_000_000
        );
        assert_eq!(format_memory(32 << 30), "32Gi");
        assert_eq!(format_cpu(500), "500m");
    }
}
