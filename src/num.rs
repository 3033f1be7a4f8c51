//! Numbers to text and back, without core's float machinery.
//!
//! `format!("{:.1}", x)`, `x.to_string()` and `s.parse::<f64>()` on floats link Grisu/Dragon
//! formatting, a bignum and the Eisel-Lemire parser with its 10 KB table of powers of five:
//! about 20 KB of wasm before gzip for a UI that only prints short decimals. The functions here
//! give the same text for the numbers the UI shows (checked against `format!` in the tests) with
//! a few hundred bytes of integer arithmetic. Use them instead of float `format!` specs in
//! `src/` (`cargo xtask test size` warns when the big formatter is linked again).
//!
//! Math functions (`sin`, `pow`, ...) come from the browser's `Math` on wasm: Rust's own come from
//! compiler-builtins' libm, 6 KB more.

/// Fixed-point text with `decimals` digits after the point: the text of
/// `format!("{v:.decimals$}")` (ties to even on the float's exact value, `-0.0` keeps its sign,
/// `NaN`, `inf`, `-inf`). Exact for |v| < 2^70; beyond that the digits are approximate.
pub fn fixed(v: f64, decimals: usize) -> String {
    let mut out = String::new();
    push_fixed(&mut out, v, decimals);
    out
}

/// The text of `format!("{v}")` / `v.to_string()`: the fewest digits after the point that read
/// back as the same float. Exact for 1e-5 <= |v| < 2^53 and for 0; other magnitudes print up
/// to 17 decimals.
pub fn shortest(v: f64) -> String {
    let mut out = String::new();
    push_shortest(&mut out, v);
    out
}

/// `s.parse::<f64>()` for what people type and URLs carry: `[+-]digits[.digits][e[+-]digits]`,
/// also `.5` and `5.`. Correctly rounded when the digits without the point fit in 19 digits and
/// below 2^53 and the decimal exponent is within ±22 (Clinger's fast path, which is what core
/// does first too); longer inputs are close but may differ in the last bit. `inf`/`NaN` are not
/// accepted (every caller rejects non-finite numbers anyway).
pub fn parse_f64(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (neg, mut i) = match b.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut mant: u64 = 0;
    let mut exp10: i32 = 0;
    let mut digits = 0usize;
    let push = |d: u8, frac: bool, mant: &mut u64, exp10: &mut i32| {
        if *mant == 0 && d == 0 {
            if frac {
                *exp10 -= 1;
            }
            return;
        }
        if *mant < (u64::MAX - 9) / 10 {
            *mant = *mant * 10 + u64::from(d);
            if frac {
                *exp10 -= 1;
            }
        } else {
            // Digits beyond u64 are dropped (truncation); integer digits still scale.
            if !frac {
                *exp10 += 1;
            }
        }
    };
    while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        push(c - b'0', false, &mut mant, &mut exp10);
        digits += 1;
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            push(c - b'0', true, &mut mant, &mut exp10);
            digits += 1;
            i += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let eneg = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        let mut e: i32 = 0;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            e = e.saturating_mul(10).saturating_add(i32::from(c - b'0'));
            i += 1;
        }
        if i == start {
            return None;
        }
        exp10 = exp10.saturating_add(if eneg { -e } else { e });
    }
    if i != b.len() {
        return None;
    }
    let v = if mant == 0 {
        0.0
    } else if mant < (1 << 53) && (-22..=22).contains(&exp10) {
        // Both operands are exact floats, so one multiplication or division rounds once.
        let p = POW10[exp10.unsigned_abs() as usize];
        if exp10 < 0 {
            mant as f64 / p
        } else {
            mant as f64 * p
        }
    } else {
        let mut v = mant as f64;
        let mut e = exp10;
        while e > 0 {
            let k = e.min(22);
            v *= POW10[k as usize];
            e -= k;
        }
        while e < 0 {
            let k = (-e).min(22);
            v /= POW10[k as usize];
            e += k;
        }
        v
    };
    Some(if neg { -v } else { v })
}

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `v` as `m * 2^e` with integer `m` (`m < 2^53`).
fn decode(v: f64) -> (u64, i32) {
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), exp - 1075)
    }
}

fn push_special(out: &mut String, v: f64) -> bool {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v < 0.0 { "-inf" } else { "inf" });
    } else {
        return false;
    }
    true
}

/// Writes `q` (an integer count of 10^-decimals) as `int.frac`.
fn push_scaled(out: &mut String, q: u128, decimals: usize) {
    let mut digits = [b'0'; 40];
    let mut len = 0;
    // A u128 division is a library call on wasm32 (`__udivti3`), one per digit: only digits
    // above u64's range take it. The ladder prints thousands of coordinates a redraw, none
    // that large.
    let mut wide = q;
    while wide > u128::from(u64::MAX) {
        digits[len] = b'0' + (wide % 10) as u8;
        wide /= 10;
        len += 1;
    }
    let mut n = wide as u64;
    while n > 0 || len <= decimals {
        digits[len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
    }
    for i in (0..len).rev() {
        out.push(digits[i] as char);
        if i == decimals && decimals > 0 {
            out.push('.');
        }
    }
}

/// `|v| × 10^decimals` rounded half to even on the float's exact value, in `u64` arithmetic:
/// `None` outside the range where that is exact without `u128` (more than 3 decimals, |v| below
/// 2^-11 or at least 2^52), which `scaled` then handles. The coordinates and times the UI shows
/// are all inside it.
fn rounded_u64(v: f64, decimals: usize) -> Option<u64> {
    let (m, e) = decode(v.abs());
    if m == 0 {
        return Some(0);
    }
    // m < 2^53 and 10^3 < 2^10, so n < 2^63; a shift below 64 keeps `rem` and `half` in range.
    if decimals > 3 || !(-63..0).contains(&e) {
        return None;
    }
    let n = m * 10u64.pow(decimals as u32);
    let shift = e.unsigned_abs();
    let (q, rem, half) = (n >> shift, n & ((1 << shift) - 1), 1u64 << (shift - 1));
    Some(if rem > half || (rem == half && q % 2 == 1) {
        q + 1
    } else {
        q
    })
}

/// `|v| * 10^decimals` split at the rounding point: `(floor, remainder, shift)` with
/// `|v| * 10^decimals = floor + remainder / 2^shift`; None when that does not fit in u128.
fn scaled(v: f64, decimals: usize) -> Option<(u128, u128, u32)> {
    let (m, e) = decode(v.abs());
    let n = u128::from(m).checked_mul(10u128.checked_pow(decimals as u32)?)?;
    if e >= 0 {
        return Some((n.checked_mul(1u128.checked_shl(e as u32)?)?, 0, 0))
            .filter(|&(q, _, _)| q >> e == n);
    }
    let shift = e.unsigned_abs();
    if shift >= 127 {
        return None;
    }
    Some((n >> shift, n & ((1u128 << shift) - 1), shift))
}

/// [`fixed`], appended to `out`: no String of its own (the ladder writes thousands of
/// coordinates a drawing).
pub fn push_fixed(out: &mut String, v: f64, decimals: usize) {
    if push_special(out, v) {
        return;
    }
    if v.is_sign_negative() {
        out.push('-');
    }
    if let Some(q) = rounded_u64(v, decimals) {
        push_scaled(out, u128::from(q), decimals);
        return;
    }
    let q = match scaled(v, decimals) {
        Some((q, rem, shift)) if shift > 0 => {
            let half = 1u128 << (shift - 1);
            if rem > half || (rem == half && q % 2 == 1) {
                q + 1
            } else {
                q
            }
        }
        Some((q, _, _)) => q,
        // Outside the exact range (nothing this UI shows): float arithmetic, close enough.
        None => (v.abs() * 10f64.powi(decimals as i32)).round() as u128,
    };
    push_scaled(out, q, decimals);
}

fn push_shortest(out: &mut String, v: f64) {
    if push_special(out, v) {
        return;
    }
    if v == 0.0 {
        out.push_str(if v.is_sign_negative() { "-0" } else { "0" });
        return;
    }
    let (m, _) = decode(v.abs());
    for decimals in 0..=22 {
        let Some((q, rem, shift)) = scaled(v, decimals) else {
            break;
        };
        if v.is_sign_negative() {
            out.push('-');
        }
        if shift == 0 {
            // An integer (|v| >= 2^52): Display prints its digits.
            push_scaled(out, q, 0);
            return;
        }
        // The nearest text with this many decimals reads back as `v` iff it lies in v's
        // rounding interval: closer than half an ulp (ulp = 2^-shift, so in these units:
        // 2 * distance < 10^decimals), or exactly half with an even mantissa (ties to even).
        // Just below a power of two the interval is half as wide.
        // (Unlike `{:.N}`, Display's shortest digits round an exact tie up.)
        let up = rem >= 1u128 << (shift - 1);
        let (q, dist) = if up {
            (q + 1, (1u128 << shift) - rem)
        } else {
            (q, rem)
        };
        let p = 10u128.pow(decimals as u32);
        let twice = dist * if !up && m == 1 << 52 { 4 } else { 2 };
        if twice < p || (twice == p && m % 2 == 0) {
            push_scaled(out, q, decimals);
            return;
        }
        if v.is_sign_negative() {
            out.pop();
        }
    }
    push_fixed(out, v, 17);
    while out.ends_with('0') {
        out.pop();
    }
    if out.ends_with('.') {
        out.pop();
    }
}

/// `x.clamp(lo, hi)` for floats, NaN passing through the same way, minus the panic: f64's
/// `clamp` checks `lo <= hi` and its panic message prints both with `{:?}`, which alone links
/// the whole float formatter.
pub fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// Math from the browser on wasm (see the module comment), std's on native builds (tests).
pub mod math {
    #[cfg(target_arch = "wasm32")]
    mod imp {
        use js_sys::Math;
        pub fn sin(x: f64) -> f64 {
            Math::sin(x)
        }
        pub fn cos(x: f64) -> f64 {
            Math::cos(x)
        }
        pub fn atan2(y: f64, x: f64) -> f64 {
            Math::atan2(y, x)
        }
        pub fn pow(x: f64, y: f64) -> f64 {
            Math::pow(x, y)
        }
        pub fn ln(x: f64) -> f64 {
            Math::log(x)
        }
        pub fn log10(x: f64) -> f64 {
            Math::log10(x)
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    mod imp {
        pub fn sin(x: f64) -> f64 {
            x.sin()
        }
        pub fn cos(x: f64) -> f64 {
            x.cos()
        }
        pub fn atan2(y: f64, x: f64) -> f64 {
            y.atan2(x)
        }
        pub fn pow(x: f64, y: f64) -> f64 {
            x.powf(y)
        }
        pub fn ln(x: f64) -> f64 {
            x.ln()
        }
        pub fn log10(x: f64) -> f64 {
            x.log10()
        }
    }
    pub use imp::*;
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const SAMPLES: &[f64] = &[
        0.0,
        -0.0,
        0.05,
        0.15,
        0.25,
        0.35,
        0.45,
        0.5,
        1.0,
        1.5,
        2.5,
        -2.5,
        -0.04,
        0.1,
        0.2,
        0.3,
        0.1 + 0.2,
        1.0 / 3.0,
        2.0 / 3.0,
        9.95,
        9.995,
        99.95,
        123.456,
        1234.5678,
        0.001,
        0.0015,
        0.0025,
        0.0045,
        1e-5,
        3e-7,
        12.0,
        124.0,
        1e15,
        4503599627370496.5,
        9007199254740993.0,
        1e20,
        0.123456789,
        3.3333333333333,
        6.02e23,
        1e-9,
        5.960464477539063e-8,
        7.0 / 1024.0,
        f64::MIN_POSITIVE,
        5e-324,
        f64::MAX,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -123.456,
        0.999,
        0.9999999,
        2626692.0 + 445.0 / 2048.0,
    ];

    #[test]
    fn fixed_matches_format() {
        for &v in SAMPLES {
            if v.abs() >= 2f64.powi(70) {
                continue;
            }
            for d in 0..=9 {
                assert_eq!(fixed(v, d), format!("{v:.d$}"), "{v:e} .{d}");
            }
        }
        // Every 1/1000 step and some arbitrary ones.
        for i in -3000..3000 {
            let v = i as f64 / 1000.0;
            for d in 0..=4 {
                assert_eq!(fixed(v, d), format!("{v:.d$}"), "{v} .{d}");
            }
            let w = i as f64 * 0.37 + 0.011;
            for d in 0..=4 {
                assert_eq!(fixed(w, d), format!("{w:.d$}"), "{w} .{d}");
            }
        }
    }

    #[test]
    fn fixed_matches_format_on_both_sides_of_the_u64_path_edges() {
        // rounded_u64 takes |v| in [2^-11, 2^52) with up to 3 decimals; the rest goes through
        // u128. Ties (x.5 × 10^-d exactly) and the edges of that range, on both paths.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let exp = (x % 70) as i32 - 14; // 2^-14 .. 2^55
            let v = (1.0 + (x >> 11) as f64 / (1u64 << 53) as f64) * 2f64.powi(exp);
            for w in [v, -v, (v * 8.0).round() / 8.0 + 0.5, 2f64.powi(exp)] {
                for d in 0..=5 {
                    assert_eq!(fixed(w, d), format!("{w:.d$}"), "{w:e} .{d}");
                }
            }
        }
    }

    #[test]
    fn shortest_matches_display() {
        for &v in SAMPLES {
            if v != 0.0 && v.is_finite() && !(1e-5..2f64.powi(53)).contains(&v.abs()) {
                continue;
            }
            assert_eq!(shortest(v), v.to_string(), "{v:e}");
        }
        for i in -3000..3000 {
            for v in [i as f64 / 1000.0, i as f64 * 0.37 + 0.011, i as f64 / 7.0] {
                assert_eq!(shortest(v), v.to_string(), "{v:e}");
            }
        }
    }

    #[test]
    fn parse_matches_core() {
        for s in [
            "0",
            "-0",
            "1",
            "+1",
            "0.5",
            ".5",
            "5.",
            "2.5",
            "0.25",
            "1e3",
            "1E-3",
            "12.5e-1",
            "0.000001",
            "123456789",
            "0.123456",
            "1.75",
            "500",
            "0.01",
            "2",
            "9007199254740993",
            "00012.3400",
            "-0.0",
        ] {
            assert_eq!(parse_f64(s), s.parse::<f64>().ok(), "{s}");
        }
        for s in [
            "", "-", ".", "e3", "1e", "1.2.3", "abc", " 1", "1 ", "--1", "0x10", "1e+",
        ] {
            assert_eq!(parse_f64(s), None, "{s:?}");
        }
        for i in 0..20000 {
            let s = format!("{}.{:03}", i / 1000, i % 1000);
            assert_eq!(parse_f64(&s), s.parse::<f64>().ok(), "{s}");
        }
    }
}
