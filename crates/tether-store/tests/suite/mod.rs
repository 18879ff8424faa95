//! The storage suite: every case runs against SQLite and PostgreSQL through `Arc<dyn Store>`.

// Each backend's test file uses every case; the compiler cannot see that across files.
#![allow(dead_code)]

pub(crate) mod fixtures;
pub(crate) mod leases;

pub(crate) use leases::*;

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::json;
use tether_domain::ids::{IdentityId, InstallId};
use tether_domain::tags::{TagFilter, TenantId, PARENT_TAG, TENANT_TAG};
use tether_domain::time::EpochMillis;
use tether_store::{EntityKind, ListQuery, Sealed, Store, StoreError, TokenState, MAX_PAGE};

use fixtures::*;

fn query(count: usize) -> ListQuery {
    ListQuery {
        count,
        ..ListQuery::default()
    }
}

fn identity_of(data: &serde_json::Value) -> IdentityId {
    IdentityId::parse(data[COMPONENT]["entityId"].as_str().unwrap()).unwrap()
}

pub(crate) async fn an_entity_round_trips_and_its_version_guards_writes(store: Arc<dyn Store>) {
    let sub = sub();
    let mut record = connector("my-connector");
    record.meta.tags = tags(&[("team", "a")]);

    store.create_entity(&sub, &record).await.unwrap();
    let again = store.create_entity(&sub, &record).await;
    let read = store
        .get_entity(&sub, EntityKind::Connector, &record.id)
        .await
        .unwrap();

    assert!(matches!(again, Err(StoreError::AlreadyExists)));
    assert_eq!(read, record);

    let mut changed = record.clone();
    changed.data = json!({"handler": "ccf", "configuration": {}});
    changed.meta.version = "v2".to_owned();
    let stale = store.put_entity(&sub, &changed, "v0").await;
    store.put_entity(&sub, &changed, "v1").await.unwrap();
    let read = store
        .get_entity(&sub, EntityKind::Connector, &record.id)
        .await
        .unwrap();

    assert!(matches!(stale, Err(StoreError::VersionMismatch)));
    assert_eq!(read.data, changed.data);
    assert_eq!(read.meta.version, "v2");

    let other_sub = store
        .get_entity(&fixtures::sub(), EntityKind::Connector, &record.id)
        .await;
    let other_kind = store
        .get_entity(&sub, EntityKind::Integration, &record.id)
        .await;
    let missing_put = store.put_entity(&fixtures::sub(), &changed, "v2").await;

    assert!(matches!(other_sub, Err(StoreError::NotFound)));
    assert!(matches!(other_kind, Err(StoreError::NotFound)));
    assert!(matches!(missing_put, Err(StoreError::NotFound)));

    let new_tags = tags(&[("team", "b")]);
    store
        .put_entity_tags(
            &sub,
            EntityKind::Connector,
            &record.id,
            &new_tags,
            "v3",
            NOW,
        )
        .await
        .unwrap();
    let read = store
        .get_entity(&sub, EntityKind::Connector, &record.id)
        .await
        .unwrap();

    assert_eq!(read.meta.tags, new_tags);
    assert_eq!(read.meta.version, "v3");
}

pub(crate) async fn lists_page_by_id_with_totals_and_cursors(store: Arc<dyn Store>) {
    let sub = sub();
    for n in (0..7).rev() {
        store
            .create_entity(&sub, &connector(&format!("conn-{n}")))
            .await
            .unwrap();
    }

    let first = store
        .list_entities(&sub, EntityKind::Connector, &query(3))
        .await
        .unwrap();
    let second = store
        .list_entities(
            &sub,
            EntityKind::Connector,
            &ListQuery {
                count: 3,
                after: first.next.clone(),
                ..ListQuery::default()
            },
        )
        .await
        .unwrap();
    let last = store
        .list_entities(
            &sub,
            EntityKind::Connector,
            &ListQuery {
                count: 3,
                after: second.next.clone(),
                ..ListQuery::default()
            },
        )
        .await
        .unwrap();
    let names = |page: &tether_store::Page<tether_store::EntityRecord>| {
        page.items
            .iter()
            .map(|e| e.id.to_string())
            .collect::<Vec<_>>()
    };

    assert_eq!(names(&first), ["conn-0", "conn-1", "conn-2"]);
    assert_eq!(names(&second), ["conn-3", "conn-4", "conn-5"]);
    assert_eq!(names(&last), ["conn-6"]);
    assert_eq!((first.total, second.total, last.total), (7, 7, 7));
    assert!(first.next.is_some() && second.next.is_some());
    assert_eq!(last.next, None);

    let zero = store
        .list_entities(&sub, EntityKind::Connector, &query(0))
        .await
        .unwrap();
    let huge = store
        .list_entities(&sub, EntityKind::Connector, &query(MAX_PAGE * 10))
        .await
        .unwrap();
    let integrations = store
        .list_entities(&sub, EntityKind::Integration, &query(10))
        .await
        .unwrap();

    assert_eq!(zero.items.len(), 1, "a count of 0 is clamped to 1");
    assert_eq!(huge.items.len(), 7);
    assert_eq!(huge.next, None);
    assert_eq!(integrations.total, 0);
}

pub(crate) async fn lists_filter_by_tags_and_id_prefix(store: Arc<dyn Store>) {
    let sub = sub();
    let cases = [
        ("alpha-1", tags(&[("team", "a"), ("tier", "gold")])),
        ("alpha-2", tags(&[("team", "b")])),
        ("alpxa-3", tags(&[("team", "a")])),
        ("beta-1", tags(&[("team", "a"), ("tier", "silver")])),
    ];
    for (name, tags) in cases {
        let mut record = connector(name);
        record.meta.tags = tags;
        store.create_entity(&sub, &record).await.unwrap();
    }
    let list = |tags: &[&str], prefix: Option<&str>| {
        let store = store.clone();
        let sub = sub.clone();
        let query = ListQuery {
            count: 100,
            after: None,
            tags: tags.iter().map(|t| TagFilter::parse(t).unwrap()).collect(),
            id_prefix: prefix.map(str::to_owned),
        };
        async move {
            let page = store
                .list_entities(&sub, EntityKind::Connector, &query)
                .await
                .unwrap();
            let ids: Vec<String> = page.items.iter().map(|e| e.id.to_string()).collect();
            (ids, page.total)
        }
    };

    assert_eq!(
        list(&["team=a"], None).await,
        (vec!["alpha-1".into(), "alpxa-3".into(), "beta-1".into()], 3)
    );
    assert_eq!(
        list(&["team=a", "tier"], None).await,
        (vec!["alpha-1".into(), "beta-1".into()], 2)
    );
    assert_eq!(list(&["team=a", "tier=gold"], None).await.1, 1);
    assert_eq!(list(&["team=c"], None).await.1, 0);
    assert_eq!(
        list(&[], Some("alpha")).await,
        (vec!["alpha-1".into(), "alpha-2".into()], 2)
    );
    assert_eq!(list(&[], Some("ALPHA")).await.1, 0, "prefixes are exact");
    assert_eq!(list(&[], Some("alp_")).await.1, 0, "'_' is no wildcard");
    assert_eq!(list(&["team=a"], Some("alp")).await.1, 2);
}

pub(crate) async fn a_referenced_connector_cannot_be_deleted_and_names_its_integrations(
    store: Arc<dyn Store>,
) {
    let sub = sub();
    store
        .create_entity(&sub, &connector("shared"))
        .await
        .unwrap();
    for name in ["second", "first"] {
        store
            .create_entity(&sub, &integration(name, &["shared"]))
            .await
            .unwrap();
    }

    let refused = store
        .delete_entity(&sub, EntityKind::Connector, &id("shared"))
        .await;

    match refused {
        Err(StoreError::Referenced(names)) => assert_eq!(names, ["first", "second"]),
        other => panic!("expected Referenced, got {other:?}"),
    }

    for name in ["first", "second"] {
        store
            .delete_entity(&sub, EntityKind::Integration, &id(name))
            .await
            .unwrap();
    }
    store
        .delete_entity(&sub, EntityKind::Connector, &id("shared"))
        .await
        .unwrap();
    let gone = store
        .delete_entity(&sub, EntityKind::Connector, &id("shared"))
        .await;

    assert!(matches!(gone, Err(StoreError::NotFound)));
}

pub(crate) async fn a_changed_integration_no_longer_holds_its_old_connector(store: Arc<dyn Store>) {
    let sub = sub();
    store.create_entity(&sub, &connector("old")).await.unwrap();
    store.create_entity(&sub, &connector("new")).await.unwrap();
    store
        .create_entity(&sub, &integration("app", &["old"]))
        .await
        .unwrap();

    let mut changed = integration("app", &["new"]);
    changed.meta.version = "v2".to_owned();
    store.put_entity(&sub, &changed, "v1").await.unwrap();

    store
        .delete_entity(&sub, EntityKind::Connector, &id("old"))
        .await
        .unwrap();
    let refused = store
        .delete_entity(&sub, EntityKind::Connector, &id("new"))
        .await;
    assert!(matches!(refused, Err(StoreError::Referenced(names)) if names == ["app"]));
}

pub(crate) async fn deleting_an_integration_removes_its_sessions_installs_and_identities(
    store: Arc<dyn Store>,
) {
    let sub = sub();
    setup(&*store, &sub, "doomed").await;
    setup(&*store, &sub, "kept").await;
    let plan = session_and_plan(&*store, &sub, "doomed", Some("t1"), "s").await;
    let install = store.commit_session(&sub, &plan).await.unwrap();
    let pending = session("doomed", Some("t2"));
    store.create_session(&sub, &pending).await.unwrap();
    let kept_plan = session_and_plan(&*store, &sub, "kept", Some("t1"), "s").await;
    let kept = store.commit_session(&sub, &kept_plan).await.unwrap();

    store
        .delete_entity(&sub, EntityKind::Integration, &id("doomed"))
        .await
        .unwrap();

    let install_gone = store.get_install(&sub, &id("doomed"), &install.id).await;
    let identity_gone = store
        .get_identity(&sub, &id(CONNECTOR), &identity_of(&install.data))
        .await;
    let session_gone = store.get_session(&sub, &plan.session).await;
    let pending_gone = store.get_session(&sub, &pending.id).await;
    let all_installs = store.list_installs(&sub, None, &query(100)).await.unwrap();

    assert!(matches!(install_gone, Err(StoreError::NotFound)));
    assert!(matches!(identity_gone, Err(StoreError::NotFound)));
    assert!(matches!(session_gone, Err(StoreError::NotFound)));
    assert!(matches!(pending_gone, Err(StoreError::NotFound)));
    assert_eq!(all_installs.total, 1);
    assert_eq!(all_installs.items[0].id, kept.id);
    assert_eq!(
        store.count_identities(&sub, &id(CONNECTOR)).await.unwrap(),
        1
    );
}

pub(crate) async fn a_commit_creates_an_install_and_identities_with_parent_tags(
    store: Arc<dyn Store>,
) {
    let sub = sub();
    setup(&*store, &sub, "app").await;
    let plan = session_and_plan(&*store, &sub, "app", Some("ops@acme.example"), "s1").await;

    let install = store.commit_session(&sub, &plan).await.unwrap();

    let tenant = TenantId::parse("ops@acme.example").unwrap();
    let stored = store
        .get_install(&sub, &id("app"), &install.id)
        .await
        .unwrap();
    let found = store
        .find_install_by_tenant(&sub, &id("app"), &tenant)
        .await
        .unwrap();
    let identity_id = identity_of(&install.data);
    let identity = store
        .get_identity(&sub, &id(CONNECTOR), &identity_id)
        .await
        .unwrap();
    let session = store.get_session(&sub, &plan.session).await.unwrap();

    assert_eq!(stored, install);
    assert_eq!(found, Some(install.clone()));
    assert_eq!(install.tenant, Some(tenant));
    assert_eq!(install.meta.tags.get(PARENT_TAG), Some(Some("app")));
    assert_eq!(
        install.meta.tags.get(TENANT_TAG),
        Some(Some("ops@acme.example"))
    );
    assert_eq!(
        install.data,
        json!({COMPONENT: {
            "entityId": identity_id.as_str(),
            "parentEntityType": "connector",
            "parentEntityId": CONNECTOR,
        }})
    );
    assert_eq!(identity.sealed_secret, Sealed(b"s1".to_vec()));
    assert_eq!(identity.data, plan.identities[0].data);
    assert_eq!(identity.token, plan.identities[0].token);
    assert_eq!(identity.meta.tags.get(PARENT_TAG), Some(Some(CONNECTOR)));
    assert_eq!(
        identity.meta.tags.get(TENANT_TAG),
        Some(Some("ops@acme.example"))
    );
    assert_eq!(session.install, Some(install.id.clone()));
    assert_eq!(session.sealed, None);
    assert_eq!(session.data, plan.session_data);

    let by_tag = ListQuery {
        count: 10,
        tags: vec![TagFilter::parse("fusebit.tenantId=ops@acme.example").unwrap()],
        ..ListQuery::default()
    };
    let installs = store.list_installs(&sub, None, &by_tag).await.unwrap();
    let identities = store
        .list_identities(&sub, &id(CONNECTOR), &by_tag)
        .await
        .unwrap();
    assert_eq!(installs.total, 1);
    assert_eq!(identities.total, 1);
}

pub(crate) async fn a_second_commit_for_the_same_tenant_updates_its_install(store: Arc<dyn Store>) {
    let sub = sub();
    setup(&*store, &sub, "app").await;
    let first_plan = session_and_plan(&*store, &sub, "app", Some("A B"), "old-secret").await;
    let first = store.commit_session(&sub, &first_plan).await.unwrap();

    let second_plan = session_and_plan(&*store, &sub, "app", Some("A B"), "new-secret").await;
    let second = store.commit_session(&sub, &second_plan).await.unwrap();

    let identity = store
        .get_identity(&sub, &id(CONNECTOR), &identity_of(&second.data))
        .await
        .unwrap();
    let installs = store
        .list_installs(&sub, Some(&id("app")), &query(10))
        .await
        .unwrap();

    assert_eq!(second.id, first.id);
    assert_eq!(identity_of(&second.data), identity_of(&first.data));
    assert_ne!(second.meta.version, first.meta.version);
    assert_eq!(identity.sealed_secret, Sealed(b"new-secret".to_vec()));
    assert_eq!(installs.total, 1);
    assert_eq!(
        store.count_identities(&sub, &id(CONNECTOR)).await.unwrap(),
        1
    );
}

pub(crate) async fn a_commit_naming_an_install_reconfigures_that_install(store: Arc<dyn Store>) {
    let sub = sub();
    setup(&*store, &sub, "app").await;
    let first_plan = session_and_plan(&*store, &sub, "app", None, "old").await;
    let first = store.commit_session(&sub, &first_plan).await.unwrap();

    let mut second_plan = session_and_plan(&*store, &sub, "app", None, "new").await;
    second_plan.install_id = Some(first.id.clone());
    let second = store.commit_session(&sub, &second_plan).await.unwrap();

    let mut unknown_plan = session_and_plan(&*store, &sub, "app", None, "x").await;
    unknown_plan.install_id = Some(InstallId::generate());
    let unknown = store.commit_session(&sub, &unknown_plan).await;

    let identity = store
        .get_identity(&sub, &id(CONNECTOR), &identity_of(&second.data))
        .await
        .unwrap();

    assert_eq!(second.id, first.id);
    assert_eq!(identity_of(&second.data), identity_of(&first.data));
    assert_eq!(identity.sealed_secret, Sealed(b"new".to_vec()));
    assert!(matches!(unknown, Err(StoreError::NotFound)));
    assert_eq!(
        store
            .get_session(&sub, &unknown_plan.session)
            .await
            .unwrap()
            .install,
        None,
        "a failed commit writes nothing"
    );
}

pub(crate) async fn committing_a_session_twice_answers_already_committed(store: Arc<dyn Store>) {
    let sub = sub();
    setup(&*store, &sub, "app").await;
    let plan = session_and_plan(&*store, &sub, "app", Some("t"), "s").await;
    let install = store.commit_session(&sub, &plan).await.unwrap();

    let again = store.commit_session(&sub, &plan).await;
    let mut session = store.get_session(&sub, &plan.session).await.unwrap();
    let version = session.meta.version.clone();
    session.meta.version = "later".to_owned();
    let put = store.put_session(&sub, &session, &version).await;

    match again {
        Err(StoreError::AlreadyCommitted { install_id }) => {
            assert_eq!(install_id, install.id.to_string())
        }
        other => panic!("expected AlreadyCommitted, got {other:?}"),
    }
    assert!(matches!(put, Err(StoreError::AlreadyCommitted { .. })));
}

pub(crate) async fn every_sealed_values_key_prefix_is_listed_once(store: Arc<dyn Store>) {
    let sub = sub();
    setup(&*store, &sub, "app").await;
    let plan = session_and_plan(&*store, &sub, "app", Some("t"), "secret-1").await;
    store.commit_session(&sub, &plan).await.unwrap();
    let other = session_and_plan(&*store, &sub, "app", Some("u"), "secret-2").await;
    store.commit_session(&sub, &other).await.unwrap();
    session_and_plan(&*store, &sub, "app", Some("v"), "unused").await;

    let mut prefixes = store.sealed_prefixes(3).await.unwrap();
    prefixes.sort();

    // Client secrets `sec…`, tokens `tok…`, the uncommitted session's state `sea…`.
    assert_eq!(
        prefixes,
        vec![b"sea".to_vec(), b"sec".to_vec(), b"tok".to_vec()]
    );
}

pub(crate) async fn a_session_is_replaced_only_with_its_current_version(store: Arc<dyn Store>) {
    let sub = sub();
    setup(&*store, &sub, "app").await;
    let session = session("app", Some("t"));
    store.create_session(&sub, &session).await.unwrap();
    let duplicate = store.create_session(&sub, &session).await;
    let orphan = store
        .create_session(&sub, &fixtures::session("no-such-integration", None))
        .await;

    let mut changed = session.clone();
    changed.data = json!({"step": 2});
    changed.sealed = Some(Sealed(b"more".to_vec()));
    changed.meta.version = "s2".to_owned();
    let stale = store.put_session(&sub, &changed, "s0").await;
    store.put_session(&sub, &changed, "s1").await.unwrap();
    let read = store.get_session(&sub, &session.id).await.unwrap();

    assert!(matches!(duplicate, Err(StoreError::AlreadyExists)));
    assert!(matches!(orphan, Err(StoreError::NotFound)));
    assert!(matches!(stale, Err(StoreError::VersionMismatch)));
    assert_eq!(read, changed);
}

pub(crate) async fn concurrent_commits_for_one_new_tenant_leave_one_install(store: Arc<dyn Store>) {
    let sub = sub();
    setup(&*store, &sub, "app").await;
    let mut plans = Vec::new();
    for n in 0..50 {
        plans.push(
            session_and_plan(&*store, &sub, "app", Some("racer"), &format!("secret-{n}")).await,
        );
    }

    let tasks: Vec<_> = plans
        .into_iter()
        .map(|plan| {
            let store = store.clone();
            let sub = sub.clone();
            tokio::spawn(async move { store.commit_session(&sub, &plan).await })
        })
        .collect();
    let mut installs = BTreeSet::new();
    let mut identities = BTreeSet::new();
    for task in tasks {
        let install = task.await.unwrap().unwrap();
        identities.insert(identity_of(&install.data).to_string());
        installs.insert(install.id.to_string());
    }

    let listed = store
        .list_installs(&sub, Some(&id("app")), &query(100))
        .await
        .unwrap();
    assert_eq!(installs.len(), 1, "{installs:?}");
    assert_eq!(identities.len(), 1, "{identities:?}");
    assert_eq!(listed.total, 1);
    assert_eq!(
        store.count_identities(&sub, &id(CONNECTOR)).await.unwrap(),
        1
    );
}

pub(crate) async fn token_state_round_trips_without_changing_the_version(store: Arc<dyn Store>) {
    let sub = sub();
    setup(&*store, &sub, "app").await;
    let plan = session_and_plan(&*store, &sub, "app", Some("t"), "s").await;
    let install = store.commit_session(&sub, &plan).await.unwrap();
    let identity_id = identity_of(&install.data);
    let before = store
        .get_identity(&sub, &id(CONNECTOR), &identity_id)
        .await
        .unwrap();

    let token = TokenState {
        sealed: Some(Sealed(vec![0, 1, 2, 255])),
        expires_at: Some(EpochMillis(NOW.0 + 5_000)),
        lifetime_seconds: Some(u64::MAX),
        last_exchange_at: Some(NOW),
        last_error: Some(json!({"code": "invalid_client", "message": "no", "status": 401})),
        last_error_at: Some(NOW),
    };
    store
        .put_token_state(&sub, &identity_id, &token)
        .await
        .unwrap();
    let after = store
        .get_identity(&sub, &id(CONNECTOR), &identity_id)
        .await
        .unwrap();
    let cleared = TokenState::default();
    store
        .put_token_state(&sub, &identity_id, &cleared)
        .await
        .unwrap();
    let emptied = store
        .get_identity(&sub, &id(CONNECTOR), &identity_id)
        .await
        .unwrap();
    let missing = store
        .put_token_state(&sub, &IdentityId::generate(), &token)
        .await;

    assert_eq!(after.meta.version, before.meta.version);
    assert_eq!(after.meta.date_modified, before.meta.date_modified);
    assert_eq!(
        after.token,
        TokenState {
            lifetime_seconds: Some(i64::MAX as u64),
            ..token
        }
    );
    assert_eq!(emptied.token, cleared);
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

pub(crate) async fn deleting_an_install_deletes_its_identities(store: Arc<dyn Store>) {
    let sub = sub();
    setup(&*store, &sub, "app").await;
    let plan = session_and_plan(&*store, &sub, "app", Some("t"), "s").await;
    let install = store.commit_session(&sub, &plan).await.unwrap();

    store
        .delete_install(&sub, &id("app"), &install.id)
        .await
        .unwrap();
    let again = store.delete_install(&sub, &id("app"), &install.id).await;
    let identity = store
        .get_identity(&sub, &id(CONNECTOR), &identity_of(&install.data))
        .await;
    let by_tenant = store
        .find_install_by_tenant(&sub, &id("app"), &TenantId::parse("t").unwrap())
        .await
        .unwrap();

    assert!(matches!(again, Err(StoreError::NotFound)));
    assert!(matches!(identity, Err(StoreError::NotFound)));
    assert_eq!(by_tenant, None);
}

pub(crate) async fn a_deleted_identity_is_recreated_by_the_next_commit(store: Arc<dyn Store>) {
    let sub = sub();
    setup(&*store, &sub, "app").await;
    let first_plan = session_and_plan(&*store, &sub, "app", Some("t"), "s").await;
    let first = store.commit_session(&sub, &first_plan).await.unwrap();
    store
        .delete_identity(&sub, &id(CONNECTOR), &identity_of(&first.data))
        .await
        .unwrap();

    let second_plan = session_and_plan(&*store, &sub, "app", Some("t"), "s2").await;
    let second = store.commit_session(&sub, &second_plan).await.unwrap();

    assert_eq!(second.id, first.id);
    assert_ne!(identity_of(&second.data), identity_of(&first.data));
    store
        .get_identity(&sub, &id(CONNECTOR), &identity_of(&second.data))
        .await
        .unwrap();
}

pub(crate) async fn keys_are_found_by_hash_and_revoked_once(store: Arc<dyn Store>) {
    let (account, client, key) = account_with_key([7; 32]);
    store.bootstrap(&account, &client, &key).await.unwrap();

    let (found_key, found_client) = store.find_key(&[7; 32]).await.unwrap().unwrap();
    let unknown = store.find_key(&[8; 32]).await.unwrap();

    assert_eq!(found_key, key);
    assert_eq!(found_client, client);
    assert_eq!(unknown, None);

    store
        .revoke_key(&account.id, &client.id, &key.id, NOW)
        .await
        .unwrap();
    let twice = store
        .revoke_key(&account.id, &client.id, &key.id, NOW)
        .await;
    let (revoked, _) = store.find_key(&[7; 32]).await.unwrap().unwrap();
    let keys = store.list_keys(&account.id, &client.id).await.unwrap();

    assert!(matches!(twice, Err(StoreError::NotFound)));
    assert_eq!(
        revoked.revoked_at,
        Some(NOW),
        "revoked keys are still found"
    );
    assert_eq!(keys, [revoked]);
}

pub(crate) async fn clients_round_trip_and_take_their_keys_with_them(store: Arc<dyn Store>) {
    let (account, client, key) = account_with_key([9; 32]);
    store.bootstrap(&account, &client, &key).await.unwrap();
    let (_, mut other, _) = account_with_key([0; 32]);
    other.account = account.id.clone();
    other.meta.tags = tags(&[("role", "ci")]);
    store.create_client(&other).await.unwrap();

    let duplicate = store.create_client(&other).await;
    let by_tag = ListQuery {
        count: 10,
        tags: vec![TagFilter::parse("role=ci").unwrap()],
        ..ListQuery::default()
    };
    let tagged = store.list_clients(&account.id, &by_tag).await.unwrap();
    let all = store.list_clients(&account.id, &query(10)).await.unwrap();

    assert!(matches!(duplicate, Err(StoreError::AlreadyExists)));
    assert_eq!(tagged.items, [other.clone()]);
    assert_eq!(all.total, 2);

    let mut renamed = client.clone();
    renamed.display_name = Some("renamed".to_owned());
    renamed.meta.version = "c2".to_owned();
    let stale = store.put_client(&renamed, "c0").await;
    store.put_client(&renamed, "c1").await.unwrap();

    assert!(matches!(stale, Err(StoreError::VersionMismatch)));
    assert_eq!(
        store.get_client(&account.id, &client.id).await.unwrap(),
        renamed
    );

    store.delete_client(&account.id, &client.id).await.unwrap();
    assert_eq!(store.find_key(&[9; 32]).await.unwrap(), None);
    assert!(matches!(
        store.get_client(&account.id, &client.id).await,
        Err(StoreError::NotFound)
    ));
}

pub(crate) async fn a_failed_bootstrap_leaves_nothing(store: Arc<dyn Store>) {
    assert!(store.accounts().await.unwrap().is_empty());
    let (account, client, key) = account_with_key([1; 32]);
    store.bootstrap(&account, &client, &key).await.unwrap();

    let (second, second_client, mut second_key) = account_with_key([2; 32]);
    second_key.hash = [1; 32];
    let failed = store.bootstrap(&second, &second_client, &second_key).await;

    let accounts = store.accounts().await.unwrap();
    assert!(matches!(failed, Err(StoreError::AlreadyExists)));
    assert_eq!(accounts, [account]);
    assert!(matches!(
        store.get_client(&second.id, &second_client.id).await,
        Err(StoreError::NotFound)
    ));
}

pub(crate) async fn expired_sessions_are_purged(store: Arc<dyn Store>) {
    let sub = sub();
    setup(&*store, &sub, "app").await;
    let mut old = session("app", None);
    old.expires = EpochMillis(NOW.0 - 1);
    let fresh = session("app", None);
    store.create_session(&sub, &old).await.unwrap();
    store.create_session(&sub, &fresh).await.unwrap();

    let purged = store.purge_sessions(NOW).await.unwrap();

    assert_eq!(purged, 1);
    assert!(matches!(
        store.get_session(&sub, &old.id).await,
        Err(StoreError::NotFound)
    ));
    store.get_session(&sub, &fresh.id).await.unwrap();
    store.ping().await.unwrap();
}

/// Every case, by name, for the backend test files.
macro_rules! storage_suite {
    ($fresh:path) => {
        storage_suite!(
            $fresh;
            an_entity_round_trips_and_its_version_guards_writes,
            lists_page_by_id_with_totals_and_cursors,
            lists_filter_by_tags_and_id_prefix,
            a_referenced_connector_cannot_be_deleted_and_names_its_integrations,
            a_changed_integration_no_longer_holds_its_old_connector,
            deleting_an_integration_removes_its_sessions_installs_and_identities,
            a_commit_creates_an_install_and_identities_with_parent_tags,
            a_second_commit_for_the_same_tenant_updates_its_install,
            a_commit_naming_an_install_reconfigures_that_install,
            committing_a_session_twice_answers_already_committed,
            every_sealed_values_key_prefix_is_listed_once,
            a_session_is_replaced_only_with_its_current_version,
            concurrent_commits_for_one_new_tenant_leave_one_install,
            token_state_round_trips_without_changing_the_version,
            deleting_an_install_deletes_its_identities,
            a_deleted_identity_is_recreated_by_the_next_commit,
            keys_are_found_by_hash_and_revoked_once,
            clients_round_trip_and_take_their_keys_with_them,
            a_failed_bootstrap_leaves_nothing,
            expired_sessions_are_purged,
            a_lease_has_one_holder_until_released,
            an_expired_lease_is_taken_over_and_its_old_holder_cannot_release_it,
            releasing_a_lease_one_does_not_hold_does_nothing,
            concurrent_acquirers_of_one_lease_have_one_winner,
            concurrent_expired_lease_takeovers_have_one_winner,
            concurrent_bootstraps_create_one_account,
        );
    };
    ($fresh:path; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                $fresh(|store| Box::pin(suite::$case(store))).await;
            }
        )+
    };
}
