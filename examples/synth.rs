//! Writes a synthetic evidence bundle with N customer references of realistic prose, for
//! benchmarks and stress tests: `cargo run --release --example synth -- 100 /tmp/synth-100`.
//!
//! Deterministic: the same N and seed give the same bytes. About 1,000 words per reference.

use std::fmt::Write as _;
use std::path::Path;

/// SplitMix64: tiny, fast, and good enough to vary prose; determinism is what matters here.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

const INDUSTRIES: &[&str] = &[
    "regional grocery",
    "freight logistics",
    "specialty pharmacy",
    "consumer electronics retail",
    "municipal water",
    "wind energy",
    "commercial insurance",
    "hospital network",
    "apparel e-commerce",
    "agricultural cooperative",
    "telecommunications",
    "airport operations",
];
const NAMES: &[&str] = &[
    "Harbor",
    "Granite",
    "Juniper",
    "Meridian",
    "Copperline",
    "Tidewater",
    "Bluestem",
    "Northfield",
    "Silverpine",
    "Redwood",
    "Lakeside",
    "Summit",
    "Ironbridge",
    "Brightwater",
    "Oakmont",
    "Crescent",
];
const SUFFIXES: &[&str] = &[
    "Group",
    "Holdings",
    "Cooperative",
    "Partners",
    "Systems",
    "Markets",
    "Health",
    "Logistics",
];
const SERVICES: &[(&str, &str)] = &[
    (
        "Amazon SageMaker",
        "Trains the forecasting models nightly and hosts them on multi-model endpoints.",
    ),
    (
        "Amazon S3",
        "Holds the raw extracts, curated feature tables and model artifacts with versioning.",
    ),
    (
        "AWS Glue",
        "Runs the nightly extract-transform-load jobs that build the feature tables.",
    ),
    (
        "AWS Lambda",
        "Validates incoming files and triggers the pipeline when a new extract lands.",
    ),
    (
        "AWS Step Functions",
        "Orchestrates ingestion, training, evaluation and promotion as one auditable workflow.",
    ),
    (
        "Amazon CloudWatch",
        "Collects metrics and alarms on latency, error rates and data drift.",
    ),
    (
        "Amazon DynamoDB",
        "Stores per-tenant configuration and the latest prediction for low-latency reads.",
    ),
    (
        "AWS KMS",
        "Encrypts every bucket and endpoint volume with customer-managed keys.",
    ),
];
const OPENERS: &[&str] = &[
    "Before the project, the planning team",
    "For several years the operations group",
    "Each week the analysts",
    "During peak season the company",
    "The central data team",
];
const VERBS: &[&str] = &[
    "relied on spreadsheets that took two days to refresh",
    "reconciled conflicting numbers from four separate systems",
    "planned inventory by hand with little visibility into demand shifts",
    "could not explain why forecasts drifted after promotions",
    "spent most of its time moving files instead of improving models",
];
const CONSEQUENCES: &[&str] = &[
    "which left shelves empty on busy days and overstocked on quiet ones",
    "so decisions lagged the market by more than a week",
    "and the cost of expedited shipping kept growing every quarter",
    "while leadership asked for a single, trusted number",
    "and every new store made the process slower",
];
const PROPOSALS: &[&str] = &[
    "We proposed a managed forecasting pipeline that ingests daily sales and external signals",
    "We designed a phased rollout that started with the highest-volume categories",
    "We suggested replacing the manual refresh with an event-driven workflow",
    "We recommended a shared feature store so that every model used the same definitions",
    "We introduced automated evaluation against a hold-out period before any model is promoted",
];
const DETAILS: &[&str] = &[
    "and publishes predictions to the planning tools the team already uses.",
    "with clear ownership of each step and alarms that reach the on-call engineer.",
    "so that a failed run never overwrites the last good forecast.",
    "and keeps every model version reproducible from its training data.",
    "while keeping customer data inside the customer's own AWS account.",
];
const OUTCOMES: &[&str] = &[
    "Forecast error fell from {a}% to {b}% across the pilot categories.",
    "Stock-outs dropped by {a}% in the first quarter after launch.",
    "The weekly planning cycle shrank from {a} hours to {b} hours.",
    "Expedited shipping costs fell by {a}%, about ${b}00,000 a year.",
    "The team now retrains {a} models every night without manual steps.",
];
const LESSONS: &[&str] = &[
    "Data quality checks at ingestion saved more time than any model improvement.",
    "Involving the planners early made adoption much faster than a big-bang launch.",
    "Clear rollback paths made the business comfortable with automated promotion.",
    "Per-tenant cost reports helped justify the move from the legacy system.",
    "Monitoring input drift caught two upstream schema changes before they hurt accuracy.",
];

fn paragraph(rng: &mut Rng, sentences: usize, parts: &[&[&str]]) -> String {
    let mut p = String::new();
    for _ in 0..sentences {
        let s: Vec<&str> = parts.iter().map(|list| rng.pick(list)).collect();
        let _ = write!(p, "{}. ", s.join(" ").trim_end_matches('.'));
    }
    p.trim_end().to_string()
}

fn outcomes(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..6 {
        let a = rng.range(5, 40);
        let b = rng.range(2, 30);
        let line = rng
            .pick(OUTCOMES)
            .replace("{a}", &a.to_string())
            .replace("{b}", &b.to_string());
        let _ = writeln!(out, "- {line}");
    }
    let _ = write!(
        out,
        "\n{}",
        paragraph(rng, 8, &[OPENERS, VERBS, CONSEQUENCES])
    );
    out
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn block(key: &str, text: &str, by: usize) -> String {
    format!("{}{key}: |\n{}\n", " ".repeat(by), indent(text, by + 2))
}

fn write_png(path: &Path) {
    // A plain diagram-sized image: boxes on white, like an exported architecture drawing.
    let (w, h) = (1600u32, 900u32);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let in_box = (x / 200) % 2 == 0 && (y / 150) % 2 == 1 && x % 200 > 20 && y % 150 > 20;
        if in_box {
            image::Rgb([0xe3, 0xee, 0xf7])
        } else {
            image::Rgb([0xff, 0xff, 0xff])
        }
    });
    img.save(path).expect("write diagram");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or_else(|| {
        eprintln!("usage: synth N DIR [SEED]");
        std::process::exit(2);
    });
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| format!("synth-{n}")));
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2026);
    let mut rng = Rng(seed);
    std::fs::create_dir_all(dir.join("docs")).expect("create bundle folder");
    std::fs::create_dir_all(dir.join("diagrams")).expect("create diagrams folder");
    write_png(&dir.join("diagrams/architecture.png"));
    std::fs::write(
        dir.join("docs/design.pdf"),
        b"%PDF-1.4\n% synthetic supporting document\n",
    )
    .expect("write document");

    let prose = |rng: &mut Rng, n: usize| paragraph(rng, n, &[PROPOSALS, DETAILS]);
    let mut y = String::new();
    let _ = write!(
        y,
        "format: 1\nchecklist: aws-ml-competency-2017-v1.0\nas_of: 2026-11-20\ncategory: platform\n\
         partner:\n  name: Synthetic Analytics, Inc.\n  website: https://synthetic.example\n  apn_tier: advanced\n  support_plan: business\n\
         \x20 public_support_statement: https://synthetic.example/aws\n  contact: {{ name: Dana Reyes, email: dana@synthetic.example }}\n\
         \x20 certified_staff:\n    - {{ name: Dana Reyes, certification: AWS Certified Solutions Architect - Associate, level: associate, expires: 2027-05-01 }}\n\
         solution:\n  name: Synthetic Forecast Studio\n{}  regions: [us-east-1, eu-west-1, ap-southeast-2]\n  availability: [marketplace, saas]\n  in_production: true\n{}{}{}\
         \x20 capabilities: [model-training, model-deployment]\n  data_sources: [structured, unstructured]\n",
        block("summary", &prose(&mut rng, 6), 2),
        block("lifecycle", &prose(&mut rng, 8), 2),
        block("aws_ml_integration", &prose(&mut rng, 8), 2),
        block("predictive_functionality", &prose(&mut rng, 8), 2),
    );
    let _ = write!(
        y,
        "architecture:\n  title: Reference architecture\n{}  diagram: diagrams/architecture.png\n  aws_services: [{}]\n{}  pillars:\n{}{}{}{}{}",
        block("overview", &prose(&mut rng, 10), 2),
        SERVICES
            .iter()
            .map(|(s, _)| *s)
            .collect::<Vec<_>>()
            .join(", "),
        block("high_availability", &prose(&mut rng, 8), 2),
        block("operational_excellence", &prose(&mut rng, 5), 4),
        block("security", &prose(&mut rng, 5), 4),
        block("reliability", &prose(&mut rng, 5), 4),
        block("performance_efficiency", &prose(&mut rng, 5), 4),
        block("cost_optimization", &prose(&mut rng, 5), 4),
    );
    let _ = write!(
        y,
        "security:\n{}{}  deployment: saas\n  asks_for_customer_credentials: false\n  cross_account_roles: true\n  governance:\n{}{}",
        block("best_practices", &prose(&mut rng, 6), 2),
        block("risk_and_compliance", &prose(&mut rng, 6), 2),
        block("iam", &prose(&mut rng, 4), 4),
        block("cloudtrail", &prose(&mut rng, 4), 4),
    );
    y.push_str("references:\n");
    for i in 0..n {
        let name = format!(
            "{} {} {}",
            rng.pick(NAMES),
            rng.pick(INDUSTRIES).split(' ').next().unwrap_or("Retail"),
            rng.pick(SUFFIXES)
        );
        let start_month = 1 + (i % 6) as u64;
        let public = i < 2;
        let _ = writeln!(y, "  - customer: \"{name} #{}\"", i + 1);
        let _ = writeln!(y, "    public: {public}");
        if public {
            let _ = writeln!(
                y,
                "    public_evidence:\n      url: https://synthetic.example/customers/{}\n      kind: case-study\n      covers: [customer-name, partner-name, aws, problem, aws-usage, outcomes]",
                i + 1
            );
        }
        let problem = format!(
            "{}\n\n{}",
            paragraph(&mut rng, 10, &[OPENERS, VERBS, CONSEQUENCES]),
            paragraph(&mut rng, 10, &[OPENERS, VERBS, CONSEQUENCES])
        );
        let proposal = format!("{}\n\n{}", prose(&mut rng, 10), prose(&mut rng, 10));
        y.push_str(&block("problem", &problem, 4));
        y.push_str(&block("proposal", &proposal, 4));
        y.push_str("    aws_services:\n");
        for _ in 0..4 {
            let (s, u) = SERVICES[(rng.next() % SERVICES.len() as u64) as usize];
            let _ = writeln!(y, "      - {{ service: {s}, usage: \"{u}\" }}");
        }
        let _ = writeln!(y, "    third_party: [Snowflake, dbt]");
        let _ = writeln!(
            y,
            "    start: 2026-{start_month:02}-{:02}",
            rng.range(1, 28)
        );
        let _ = writeln!(
            y,
            "    end: 2026-{:02}-{:02}",
            start_month + 4,
            rng.range(1, 28)
        );
        let _ = writeln!(y, "    stage: production");
        y.push_str(&block("outcomes", &outcomes(&mut rng), 4));
        let lessons = format!(
            "{}\n\n{}",
            paragraph(&mut rng, 6, &[LESSONS]),
            paragraph(&mut rng, 6, &[LESSONS])
        );
        y.push_str(&block("lessons", &lessons, 4));
        let _ = writeln!(y, "    documents: [docs/design.pdf]");
    }
    let size = y.len();
    std::fs::write(dir.join("bundle.yaml"), y).expect("write bundle.yaml");
    eprintln!(
        "wrote {} with {n} references",
        dir.join("bundle.yaml").display()
    );
    if size as u64 > dossier::bundle::MAX_BUNDLE_BYTES {
        eprintln!(
            "note: it is {:.1} MB, over the default 1 MB cap; render it with {}={}",
            size as f64 / 1_048_576.0,
            dossier::bundle::BUNDLE_LIMIT_VAR,
            size.div_ceil(1_048_576)
        );
    }
}
