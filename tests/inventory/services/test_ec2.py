from __future__ import annotations

from datetime import datetime

from sentinel.aws.session import SessionFactory
from sentinel.inventory import Inventory


def run(aws: SessionFactory, count: int, tags: dict[str, str] | None = None) -> list[str]:
    extra = {}
    if tags:
        pairs = [{"Key": k, "Value": v} for k, v in tags.items()]
        extra["TagSpecifications"] = [{"ResourceType": "instance", "Tags": pairs}]
    reservation = aws.client("ec2").run_instances(
        ImageId="ami-12345678", MinCount=count, MaxCount=count, InstanceType="m5.large", **extra
    )
    return [instance["InstanceId"] for instance in reservation["Instances"]]


def test_instances_with_attributes_tags_and_owner(aws: SessionFactory) -> None:
    (web,) = run(aws, 1, {"Name": "web-1", "Environment": "production"})
    (bare,) = run(aws, 1)
    aws.counter.reset()

    found = {r.id: r for r in Inventory(aws).discover("ec2:instance")}

    assert set(found) == {web, bare}
    instance = found[web]
    assert instance.name == "web-1"
    assert dict(instance.tags) == {"Name": "web-1", "Environment": "production"}
    assert instance.account == "123456789012"
    assert instance.arn == f"arn:aws:ec2:us-east-1:123456789012:instance/{web}"
    assert instance.attributes["instance_type"] == "m5.large"
    assert instance.attributes["state"] == "running"
    assert instance.attributes["private_ip"].startswith("10.")
    assert isinstance(instance.attributes["launch_time"], datetime)
    assert dict(found[bare].tags) == {}
    assert aws.counter.total() == aws.counter.total("ec2", "DescribeInstances") == 1


def test_terminated_instances_are_left_out_stopped_ones_kept(aws: SessionFactory) -> None:
    gone, stopped, running = run(aws, 3)
    ec2 = aws.client("ec2")
    ec2.terminate_instances(InstanceIds=[gone])
    ec2.stop_instances(InstanceIds=[stopped])

    found = {r.id: r.attributes["state"] for r in Inventory(aws).discover("ec2:instance")}

    assert found == {stopped: "stopped", running: "running"}


def test_volumes_with_attachment_size_and_tags_in_one_call(aws: SessionFactory) -> None:
    ec2 = aws.client("ec2")
    (web,) = run(aws, 1)
    data = ec2.create_volume(
        AvailabilityZone="us-east-1a",
        Size=200,
        VolumeType="gp3",
        TagSpecifications=[
            {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "web-data"}]}
        ],
    )
    ec2.attach_volume(VolumeId=data["VolumeId"], InstanceId=web, Device="/dev/sdf")
    aws.counter.reset()

    found = {r.id: r for r in Inventory(aws).discover("ec2:volume")}

    volume = found[data["VolumeId"]]
    assert volume.name == "web-data"
    assert volume.attributes["size_gib"] == 200
    assert volume.attributes["volume_type"] == "gp3"
    assert volume.attributes["instance"] == web
    assert volume.arn == f"arn:aws:ec2:us-east-1:123456789012:volume/{data['VolumeId']}"
    assert len(found) == 2  # and the instance's root volume
    assert aws.counter.total("ec2", "DescribeVolumes") == 1
    assert aws.counter.total() == 2  # and the account id for the ARN, asked once
