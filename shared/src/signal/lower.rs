//! Lower-casing of single characters, the same as `char::to_lowercase`, from a table of about
//! 180 runs instead of std's 1,400 pairs (the widget's wasm carries it; 11 KB less raw).

/// Runs of upper-case characters that lower-case by the same offset: `(first << 8 | (step - 1)
/// << 7 | count, offset)`, where the run is `first, first + step, …` (`count + 1` characters,
/// step 1 or 2). Sorted by `first`; ASCII is handled apart. The test `table_matches_std`
/// rebuilds this table from std and prints it when std's Unicode version has changed.
#[rustfmt::skip]
const RUNS: &[(u32, i32)] = &[
    (0x0000c016, 32), (0x0000d806, 32), (0x00010097, 1), (0x00013282, 1),
    (0x00013987, 1), (0x00014a96, 1), (0x00017800, -121), (0x00017982, 1),
    (0x00018100, 210), (0x00018281, 1), (0x00018600, 206), (0x00018700, 1),
    (0x00018901, 205), (0x00018b00, 1), (0x00018e00, 79), (0x00018f00, 202),
    (0x00019000, 203), (0x00019100, 1), (0x00019300, 205), (0x00019400, 207),
    (0x00019600, 211), (0x00019700, 209), (0x00019800, 1), (0x00019c00, 211),
    (0x00019d00, 213), (0x00019f00, 214), (0x0001a082, 1), (0x0001a600, 218),
    (0x0001a700, 1), (0x0001a900, 218), (0x0001ac00, 1), (0x0001ae00, 218),
    (0x0001af00, 1), (0x0001b101, 217), (0x0001b381, 1), (0x0001b700, 219),
    (0x0001b800, 1), (0x0001bc00, 1), (0x0001c400, 2), (0x0001c500, 1),
    (0x0001c700, 2), (0x0001c800, 1), (0x0001ca00, 2), (0x0001cb88, 1),
    (0x0001de88, 1), (0x0001f100, 2), (0x0001f281, 1), (0x0001f600, -97),
    (0x0001f700, -56), (0x0001f893, 1), (0x00022000, -130), (0x00022288, 1),
    (0x00023a00, 10795), (0x00023b00, 1), (0x00023d00, -163), (0x00023e00, 10792),
    (0x00024100, 1), (0x00024300, -195), (0x00024400, 69), (0x00024500, 71),
    (0x00024684, 1), (0x00037081, 1), (0x00037600, 1), (0x00037f00, 116),
    (0x00038600, 38), (0x00038802, 37), (0x00038c00, 64), (0x00038e01, 63),
    (0x00039110, 32), (0x0003a308, 32), (0x0003cf00, 8), (0x0003d88b, 1),
    (0x0003f400, -60), (0x0003f700, 1), (0x0003f900, -7), (0x0003fa00, 1),
    (0x0003fd02, -130), (0x0004000f, 80), (0x0004101f, 32), (0x00046090, 1),
    (0x00048a9a, 1), (0x0004c000, 15), (0x0004c186, 1), (0x0004d0af, 1),
    (0x00053125, 48), (0x0010a025, 7264), (0x0010c700, 7264), (0x0010cd00, 7264),
    (0x0013a04f, 38864), (0x0013f005, 8), (0x001c8900, 1), (0x001c902a, -3008),
    (0x001cbd02, -3008), (0x001e00ca, 1), (0x001e9e00, -7615), (0x001ea0af, 1),
    (0x001f0807, -8), (0x001f1805, -8), (0x001f2807, -8), (0x001f3807, -8),
    (0x001f4805, -8), (0x001f5983, -8), (0x001f6807, -8), (0x001f8807, -8),
    (0x001f9807, -8), (0x001fa807, -8), (0x001fb801, -8), (0x001fba01, -74),
    (0x001fbc00, -9), (0x001fc803, -86), (0x001fcc00, -9), (0x001fd801, -8),
    (0x001fda01, -100), (0x001fe801, -8), (0x001fea01, -112), (0x001fec00, -7),
    (0x001ff801, -128), (0x001ffa01, -126), (0x001ffc00, -9), (0x00212600, -7517),
    (0x00212a00, -8383), (0x00212b00, -8262), (0x00213200, 28), (0x0021600f, 16),
    (0x00218300, 1), (0x0024b619, 26), (0x002c002f, 48), (0x002c6000, 1),
    (0x002c6200, -10743), (0x002c6300, -3814), (0x002c6400, -10727), (0x002c6782, 1),
    (0x002c6d00, -10780), (0x002c6e00, -10749), (0x002c6f00, -10783), (0x002c7000, -10782),
    (0x002c7200, 1), (0x002c7500, 1), (0x002c7e01, -10815), (0x002c80b1, 1),
    (0x002ceb81, 1), (0x002cf200, 1), (0x00a64096, 1), (0x00a6808d, 1),
    (0x00a72286, 1), (0x00a7329e, 1), (0x00a77981, 1), (0x00a77d00, -35332),
    (0x00a77e84, 1), (0x00a78b00, 1), (0x00a78d00, -42280), (0x00a79081, 1),
    (0x00a79689, 1), (0x00a7aa00, -42308), (0x00a7ab00, -42319), (0x00a7ac00, -42315),
    (0x00a7ad00, -42305), (0x00a7ae00, -42308), (0x00a7b000, -42258), (0x00a7b100, -42282),
    (0x00a7b200, -42261), (0x00a7b300, 928), (0x00a7b487, 1), (0x00a7c400, -48),
    (0x00a7c500, -42307), (0x00a7c600, -35384), (0x00a7c781, 1), (0x00a7cb00, -42343),
    (0x00a7cc87, 1), (0x00a7dc00, -42561), (0x00a7f500, 1), (0x00ff2119, 32),
    (0x01040027, 40), (0x0104b023, 40), (0x0105700a, 39), (0x01057c0e, 39),
    (0x01058c06, 39), (0x01059401, 39), (0x010c8032, 64), (0x010d5015, 32),
    (0x0118a01f, 32), (0x016e401f, 32), (0x016ea018, 27), (0x01e90021, 34),
];

/// The one character whose lower case is two characters: İ → i̇.
const DOTTED_I: (char, [char; 2]) = ('\u{130}', ['i', '\u{307}']);

/// The lower case of `c`: one character, or two for U+0130 (like `char::to_lowercase`).
pub fn to_lower(c: char) -> impl Iterator<Item = char> {
    let (first, second) = if c == DOTTED_I.0 {
        (DOTTED_I.1[0], Some(DOTTED_I.1[1]))
    } else {
        (lower_one(c), None)
    };
    std::iter::once(first).chain(second)
}

fn lower_one(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let cp = u32::from(c);
    // The last run starting at or before `cp`.
    let i = RUNS.partition_point(|&(packed, _)| packed >> 8 <= cp);
    let Some(&(packed, offset)) = i.checked_sub(1).and_then(|i| RUNS.get(i)) else {
        return c;
    };
    let (first, step, count) = (packed >> 8, ((packed >> 7) & 1) + 1, packed & 0x7f);
    let from_first = cp - first;
    if from_first % step != 0 || from_first / step > count {
        return c;
    }
    cp.checked_add_signed(offset)
        .and_then(char::from_u32)
        .unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`RUNS`] as std's `char::to_lowercase` gives it, in the source's layout.
    fn runs_from_std() -> String {
        let mut runs: Vec<(u32, u32, i64, u32)> = Vec::new();
        for c in (0x80..=0x10_FFFF).filter_map(char::from_u32) {
            let lower: Vec<char> = c.to_lowercase().collect();
            let cp = u32::from(c);
            let offset = i64::from(u32::from(lower[0])) - i64::from(cp);
            if lower.len() != 1 || offset == 0 {
                continue;
            }
            if let Some(run) = runs.last_mut() {
                let step = if run.0 == run.1 { cp - run.1 } else { run.3 };
                if run.2 == offset && cp - run.1 == step && step <= 2 {
                    (run.1, run.3) = (cp, step);
                    continue;
                }
            }
            runs.push((cp, cp, offset, 1));
        }
        let mut out = String::new();
        for (i, (first, last, offset, step)) in runs.iter().enumerate() {
            let packed = (first << 8) | ((step - 1) << 7) | ((last - first) / step);
            out += &format!("({packed:#010x}, {offset}),");
            out += if i % 4 == 3 { "\n" } else { " " };
        }
        out
    }

    #[test]
    fn table_matches_std() {
        let ours: String = RUNS
            .iter()
            .enumerate()
            .map(|(i, (packed, offset))| {
                let sep = if i % 4 == 3 { "\n" } else { " " };
                format!("({packed:#010x}, {offset}),{sep}")
            })
            .collect();
        let std = runs_from_std();
        assert!(
            ours == std,
            "std's Unicode tables changed: replace RUNS in shared/src/signal/lower.rs with\n{std}"
        );
    }

    #[test]
    fn every_char_lowers_like_std() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            assert!(
                to_lower(c).eq(c.to_lowercase()),
                "U+{:04X} lowers to {:?}, std says {:?}",
                u32::from(c),
                to_lower(c).collect::<String>(),
                c.to_lowercase().collect::<String>()
            );
        }
    }
}
