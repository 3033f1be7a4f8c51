//! The example files in `docs/examples/` parse and run (so the docs cannot rot silently).
#[test]
fn docs_examples_run() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            let s = synack_model::scenario::Scenario::from_json(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // `simulate` fails when a scripted peer's expectation fails, so every script in
            // the examples is checked here, line by line.
            let t =
                synack_model::simulate(&s).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(t.events.len() > 10, "{}", path.display());
            assert!(
                !s.description.is_empty(),
                "{}: an example tells its story in `description`",
                path.display()
            );
            n += 1;
        }
    }
    assert!(n >= 20, "only {n} examples");
}

#[test]
fn bad_scenarios_get_clear_errors() {
    use synack_model::scenario::{Scenario, ScenarioError};
    assert!(matches!(
        Scenario::from_json("{"),
        Err(ScenarioError::Invalid(_))
    ));
    let mut s = synack_model::presets::handshake(
        &Default::default(),
        synack_model::presets::HandshakeCase::Normal,
    );
    s.sockets[0].host = "nowhere".into();
    assert_eq!(
        synack_model::simulate(&s).unwrap_err(),
        ScenarioError::UnknownHost("nowhere".into())
    );
    let mut s = synack_model::presets::handshake(
        &Default::default(),
        synack_model::presets::HandshakeCase::Normal,
    );
    s.apps[0].socket = "ghost".into();
    assert_eq!(
        synack_model::simulate(&s).unwrap_err().to_string(),
        "unknown socket \"ghost\""
    );
}
