//! Gates for CI: a sweep whose gates hold exits 0, one with a failed gate exits 3 with every
//! run still finished and stored, and `gates.json` records both; `--json` prints the sweep as
//! JSON lines.

use crate::support::{recsweep, run_ids, summary};

#[test]
fn held_gates_exit_0_and_a_failed_gate_exits_3_with_every_run_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let pass = tmp.path().join("pass");
    let o = recsweep(&[
        "--run",
        "tests/fixtures/tiny.yaml",
        "--out",
        pass.to_str().unwrap(),
        "--gate",
        "baseline: auc > 0",
        "--gate",
        "any: coverage@10 >= baseline",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("gates: 2 held, 0 failed"), "{stdout}");
    let gates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pass.join("gates.json")).unwrap()).unwrap();
    assert_eq!(gates.as_array().unwrap().len(), 2);
    assert!(gates.as_array().unwrap().iter().all(|g| g["held"] == true));

    let fail = tmp.path().join("fail");
    let o = recsweep(&[
        "--run",
        "tests/fixtures/tiny.yaml",
        "--out",
        fail.to_str().unwrap(),
        "--gate",
        "baseline: ndcg@10 >= 0.99",
        "--gate",
        "baseline: auc > 0",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("gates: 1 held, 1 failed"), "{stdout}");
    assert!(
        stdout.contains("FAILED  baseline: ndcg@10 >= 0.99"),
        "{stdout}"
    );
    assert!(stdout.contains("baseline λ=0: "), "{stdout}");
    for run in run_ids(&fail) {
        assert_eq!(summary(&fail, &run).status.as_str(), "finished", "{run}");
    }
    assert!(fail.join("plots/tradeoff.png").is_file());
    let gates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fail.join("gates.json")).unwrap()).unwrap();
    assert_eq!(gates[0]["held"], false);
    assert_eq!(gates[0]["gate"], "baseline: ndcg@10 >= 0.99");
    assert_eq!(gates[0]["points"][0]["threshold"], 0.99);
}

#[test]
fn json_prints_one_object_per_event_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("json");
    let o = recsweep(&[
        "--run",
        "tests/fixtures/tiny.yaml",
        "--out",
        out.to_str().unwrap(),
        "--json",
        "--gate",
        "baseline: ndcg@10 >= 0.99",
    ]);
    assert_eq!(o.status.code(), Some(3));
    let stdout = String::from_utf8(o.stdout).unwrap();
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"prepared"));
    assert_eq!(&kinds[kinds.len() - 2..], ["ended", "figures"]);
    let count = |k: &str| kinds.iter().filter(|&&x| x == k).count();
    // tiny.yaml: two runs of three epochs each.
    assert_eq!(
        (count("started"), count("epoch"), count("finished")),
        (2, 6, 2)
    );
    let epoch = events.iter().find(|e| e["event"] == "epoch").unwrap();
    assert!(
        epoch["eval"]["auc"].is_f64() && epoch["loss"].is_f64(),
        "{epoch}"
    );
    let finished = events.iter().find(|e| e["event"] == "finished").unwrap();
    assert!(
        finished["summary"]["test"]["ndcg@10"].is_f64(),
        "{finished}"
    );
    let ended = &events[events.len() - 2];
    assert_eq!(ended["all_finished"], true);
    assert_eq!(ended["gates"][0]["held"], false);
}
