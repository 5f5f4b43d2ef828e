data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-x86_64"]
  }

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

locals {
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition
  region       = data.aws_region.current.name
  ssm_path     = trimsuffix(var.ssm_parameter_path, "/")
  ssm_path_arn = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${local.ssm_path}"
  short_name   = substr(var.name, 0, 28)
  # One instance (the default) or an Auto Scaling group of replicas (autoscaling.tf).
  autoscaling = var.autoscaling != null
}

################################################################################
# IAM: least privilege for the one app process
################################################################################

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "Ec2AssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "app" {
  statement {
    sid = "DynamoDbDataPlane"
    actions = [
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:DeleteItem",
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:Scan",
      "dynamodb:UpdateItem",
    ]
    resources = var.dynamodb_table_arns
  }

  statement {
    sid       = "DynamoDbIndexQueries"
    actions   = ["dynamodb:Query", "dynamodb:Scan"]
    resources = var.dynamodb_index_arns
  }

  statement {
    sid       = "PublishAlerts"
    actions   = ["sns:Publish"]
    resources = [var.sns_topic_arn]
  }

  # The env file is rendered on the host from these parameters (SecureStrings under the AWS managed aws/ssm key,
  # which needs no extra KMS grant).
  statement {
    sid       = "ReadAppParameters"
    actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
    resources = [local.ssm_path_arn, "${local.ssm_path_arn}/*"]
  }

  dynamic "statement" {
    for_each = var.log_group_arn == null ? [] : [var.log_group_arn]
    content {
      sid       = "ShipAppLogs"
      actions   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
      resources = [statement.value, "${statement.value}:*"]
    }
  }

  # Auto Scaling group only: a new instance installs the release it finds here (autoscaling.tf).
  dynamic "statement" {
    for_each = local.autoscaling ? [1] : []
    content {
      sid       = "ReadReleases"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.releases[0].arn}/releases/*"]
    }
  }

  # "Subscribe to updates": SNS e-mail subscriptions and visitor notices, on the subscribers topic only.
  dynamic "statement" {
    for_each = var.subscribers_topic_arn == null ? [] : [var.subscribers_topic_arn]
    content {
      sid       = "VisitorSubscriptions"
      actions   = ["sns:Publish", "sns:Subscribe"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-instance"
  description        = "Status page app instance: its DynamoDB tables, its SNS topics, its SSM parameters, its logs"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "app" {
  name   = "app"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.app.json
}

# Session Manager (shell + Ansible over SSM) instead of SSH.
resource "aws_iam_role_policy_attachment" "ssm_core" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "this" {
  name = "${var.name}-instance"
  role = aws_iam_role.this.name

  tags = var.tags
}

################################################################################
# EC2 instance (unless the Auto Scaling group of autoscaling.tf runs the replicas)
################################################################################

resource "aws_instance" "this" {
  count = local.autoscaling ? 0 : 1

  ami                         = data.aws_ami.al2023.id
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_ids[0]
  vpc_security_group_ids      = [var.instance_security_group_id]
  iam_instance_profile        = aws_iam_instance_profile.this.name
  associate_public_ip_address = true # egress only; the security group admits the ALB alone
  disable_api_termination     = var.deletion_protection

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = var.root_volume_size
    encrypted             = true
    delete_on_termination = true
  }

  tags        = merge(var.tags, var.instance_tags, { Name = var.name })
  volume_tags = merge(var.tags, { Name = var.name })

  # A newer AMI must not replace the running host; Ansible keeps packages current.
  lifecycle {
    ignore_changes = [ami]
  }
}

# The instance became optional (count): existing state moves, nothing is replaced.
moved {
  from = aws_instance.this
  to   = aws_instance.this[0]
}

################################################################################
# ALB: HTTPS only, forwards nothing unless CloudFront's secret origin header is present
################################################################################

resource "aws_acm_certificate" "this" {
  domain_name       = var.origin_domain_name
  validation_method = "DNS"

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

# Keyed by the configured name (known at plan time), not by the certificate's computed attributes.
resource "aws_route53_record" "validation" {
  for_each = toset([var.origin_domain_name])

  zone_id         = var.zone_id
  name            = local.validation_options[each.key].resource_record_name
  type            = local.validation_options[each.key].resource_record_type
  records         = [local.validation_options[each.key].resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

locals {
  validation_options = { for option in aws_acm_certificate.this.domain_validation_options : option.domain_name => option }
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [for record in aws_route53_record.validation : record.fqdn]
}

resource "aws_lb" "this" {
  name                       = local.short_name
  load_balancer_type         = "application"
  internal                   = false
  security_groups            = [var.alb_security_group_id]
  subnets                    = var.subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection

  tags = var.tags
}

resource "aws_lb_target_group" "this" {
  name                 = local.short_name
  port                 = var.app_port
  protocol             = "HTTP"
  target_type          = "instance"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    path                = var.health_check_path
    port                = "traffic-port"
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = var.tags
}

resource "aws_lb_target_group_attachment" "this" {
  count = local.autoscaling ? 0 : 1

  target_group_arn = aws_lb_target_group.this.arn
  target_id        = aws_instance.this[0].id
  port             = var.app_port
}

moved {
  from = aws_lb_target_group_attachment.this
  to   = aws_lb_target_group_attachment.this[0]
}

resource "aws_lb_listener" "this" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.this.certificate_arn

  # Anything that did not come through CloudFront is refused.
  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      message_body = "Forbidden"
      status_code  = "403"
    }
  }

  tags = var.tags
}

resource "aws_lb_listener_rule" "this" {
  listener_arn = aws_lb_listener.this.arn
  priority     = 10

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  condition {
    http_header {
      http_header_name = var.origin_verify_header_name
      values           = [var.origin_verify_secret]
    }
  }

  tags = var.tags
}

resource "aws_route53_record" "origin" {
  zone_id = var.zone_id
  name    = var.origin_domain_name
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}

################################################################################
# S3 bucket the amazon.aws.aws_ssm Ansible connection uses to move files (pre-signed URLs, objects expire)
################################################################################

resource "aws_s3_bucket" "ssm_transfer" {
  bucket        = "${var.name}-ssm-transfer-${local.account_id}"
  force_destroy = true

  tags = var.tags
}

resource "aws_s3_bucket_public_access_block" "ssm_transfer" {
  bucket                  = aws_s3_bucket.ssm_transfer.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "ssm_transfer" {
  bucket = aws_s3_bucket.ssm_transfer.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "ssm_transfer" {
  bucket = aws_s3_bucket.ssm_transfer.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "ssm_transfer" {
  bucket = aws_s3_bucket.ssm_transfer.id

  rule {
    id     = "expire-transfers"
    status = "Enabled"

    filter {}

    expiration {
      days = 1
    }
  }
}
