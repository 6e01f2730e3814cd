"""DocumentDB clusters and instances through the docdb client."""

from __future__ import annotations

from sentinel.aws.session import SessionFactory


def test_docdb_cluster_with_instances(aws: SessionFactory) -> None:
    docdb = aws.client("docdb")
    docdb.create_db_cluster(
        DBClusterIdentifier="p2p-docdb",
        Engine="docdb",
        MasterUsername="p2p",
        MasterUserPassword="a-long-password",
    )
    for n in (1, 2):
        docdb.create_db_instance(
            DBInstanceIdentifier=f"p2p-docdb-{n}",
            DBInstanceClass="db.r6g.large",
            Engine="docdb",
            DBClusterIdentifier="p2p-docdb",
        )

    cluster = docdb.describe_db_clusters(DBClusterIdentifier="p2p-docdb")["DBClusters"][0]
    instances = docdb.describe_db_instances(Filters=[{"Name": "engine", "Values": ["docdb"]}])[
        "DBInstances"
    ]

    assert (cluster["Engine"], cluster["EngineVersion"], cluster["Port"]) == (
        "docdb",
        "5.0.0",
        27017,
    )
    assert sorted(m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"]) == [
        "p2p-docdb-1",
        "p2p-docdb-2",
    ]
    assert {(i["DBInstanceIdentifier"], i["Engine"]) for i in instances} == {
        ("p2p-docdb-1", "docdb"),
        ("p2p-docdb-2", "docdb"),
    }


def test_other_engines_keep_their_defaults(aws: SessionFactory) -> None:
    rds = aws.client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="p2p-postgres",
        DBInstanceClass="db.r6g.large",
        Engine="postgres",
        AllocatedStorage=100,
        MasterUsername="p2p",
        MasterUserPassword="a-long-password",
    )

    instance = rds.describe_db_instances()["DBInstances"][0]

    assert instance["Endpoint"]["Port"] == 5432
