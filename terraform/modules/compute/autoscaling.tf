################################################################################
# Replicas: an Auto Scaling group over every subnet (two AZs) behind the ALB target group, instead of the single
# instance. Instances are cattle: the launch template's user data installs the release from the releases bucket
# with the same Ansible roles the pipeline uses, and the app's replicas find each other through DynamoDB.
################################################################################

resource "aws_s3_bucket" "releases" {
  count = local.autoscaling ? 1 : 0

  bucket        = "${var.name}-releases-${local.account_id}"
  force_destroy = !var.deletion_protection

  tags = var.tags
}

resource "aws_s3_bucket_public_access_block" "releases" {
  count = local.autoscaling ? 1 : 0

  bucket                  = aws_s3_bucket.releases[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "releases" {
  count = local.autoscaling ? 1 : 0

  bucket = aws_s3_bucket.releases[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "releases" {
  count = local.autoscaling ? 1 : 0

  bucket = aws_s3_bucket.releases[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "releases" {
  count = local.autoscaling ? 1 : 0

  bucket = aws_s3_bucket.releases[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_launch_template" "this" {
  count = local.autoscaling ? 1 : 0

  name_prefix            = "${var.name}-"
  description            = "Status page replica (${var.instance_type}, AL2023), bootstrapped from release ${var.autoscaling.release_version}"
  image_id               = data.aws_ami.al2023.id
  instance_type          = var.instance_type
  update_default_version = true

  iam_instance_profile {
    name = aws_iam_instance_profile.this.name
  }

  network_interfaces {
    associate_public_ip_address = true # egress only; the security group admits the ALB alone
    security_groups             = [var.instance_security_group_id]
    delete_on_termination       = true
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_type           = "gp3"
      volume_size           = var.root_volume_size
      encrypted             = true
      delete_on_termination = true
    }
  }

  user_data = base64encode(templatefile("${path.module}/bootstrap.sh.tftpl", {
    bucket          = aws_s3_bucket.releases[0].bucket
    release_version = var.autoscaling.release_version
    extra_vars      = jsonencode(var.autoscaling.ansible_extra_vars)
  }))

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, var.instance_tags, { Name = var.name })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { Name = var.name })
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "this" {
  count = local.autoscaling ? 1 : 0

  name                      = var.name
  min_size                  = var.autoscaling.min_size
  max_size                  = var.autoscaling.max_size
  desired_capacity          = var.autoscaling.desired_capacity
  vpc_zone_identifier       = var.subnet_ids
  target_group_arns         = [aws_lb_target_group.this.arn]
  health_check_type         = "ELB"
  health_check_grace_period = var.autoscaling.health_check_grace_period
  default_instance_warmup   = var.autoscaling.instance_warmup
  # Group metrics (free) for the in-service count on dashboards and alarms.
  metrics_granularity = "1Minute"
  enabled_metrics     = ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupTotalInstances"]

  launch_template {
    id      = aws_launch_template.this[0].id
    version = aws_launch_template.this[0].latest_version
  }

  # A new launch template version (release_version, AMI, instance type) replaces the instances a batch at a
  # time, each healthy behind the ALB before the next goes; a SIGTERMed replica hands its shards over first.
  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = var.autoscaling.min_healthy_percentage
      instance_warmup        = var.autoscaling.instance_warmup
      auto_rollback          = true
    }
  }

  dynamic "tag" {
    for_each = merge(var.tags, var.instance_tags, { Name = var.name })
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}
