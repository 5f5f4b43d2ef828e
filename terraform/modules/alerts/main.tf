# Not KMS-encrypted on purpose: CloudWatch alarms cannot publish to a topic encrypted with the AWS managed
# aws/sns key, and a customer managed key costs 1 USD/month for alert mails that hold no secrets.
resource "aws_sns_topic" "this" {
  name = "${var.name}-alerts"

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alert_email == "" ? 0 : 1

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = var.alert_email
}

################################################################################
# Visitor subscriptions: the app subscribes e-mail addresses (each with a filter policy on the services chosen)
# and publishes visitor notices here. AWS keeps the addresses, mails the confirmation and the unsubscribe links.
################################################################################

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# Not KMS-encrypted, like the alerts topic: the notices are what the public status page shows anyway.
resource "aws_sns_topic" "subscribers" {
  name = "${var.name}-subscribers"

  tags = var.tags
}

data "aws_iam_policy_document" "subscribers" {
  # Only this account's principals (and of them, only those IAM allows: the app's instance role) may use it.
  statement {
    sid       = "OwnerAccountOnly"
    actions   = ["sns:GetTopicAttributes", "sns:Publish", "sns:Subscribe"]
    resources = [aws_sns_topic.subscribers.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  # Visitors subscribe e-mail addresses, nothing else (no HTTP, SMS, Lambda or SQS endpoints), whoever asks.
  statement {
    sid       = "EmailSubscriptionsOnly"
    effect    = "Deny"
    actions   = ["sns:Subscribe"]
    resources = [aws_sns_topic.subscribers.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "sns:Protocol"
      values   = ["email"]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish", "sns:Subscribe"]
    resources = [aws_sns_topic.subscribers.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "subscribers" {
  arn    = aws_sns_topic.subscribers.arn
  policy = data.aws_iam_policy_document.subscribers.json
}

resource "aws_cloudwatch_log_group" "app" {
  count = var.create_log_group ? 1 : 0

  name              = "/${var.name}/app"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

locals {
  alarm_actions = [aws_sns_topic.this.arn]
}

resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  alarm_name          = "${var.name}-alb-5xx"
  alarm_description   = "More than ${var.alb_5xx_threshold} HTTP 5xx (ALB + target) in 5 minutes."
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  threshold           = var.alb_5xx_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "total"
    expression  = "FILL(elb, 0) + FILL(target, 0)"
    label       = "5xx responses"
    return_data = true
  }

  metric_query {
    id = "elb"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      period      = 300
      stat        = "Sum"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
    }
  }

  metric_query {
    id = "target"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      period      = 300
      stat        = "Sum"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  alarm_name          = "${var.name}-unhealthy-hosts"
  alarm_description   = "The app instance fails the ALB health check (/api/health)."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  dimensions = {
    LoadBalancer = var.alb_arn_suffix
    TargetGroup  = var.target_group_arn_suffix
  }

  tags = var.tags
}

# The single instance only: in an Auto Scaling group a failing replica is replaced by the group (ELB health check)
# and the unhealthy-hosts alarm above covers the page.
resource "aws_cloudwatch_metric_alarm" "status_check" {
  count = var.autoscaling_group_name == null ? 1 : 0

  alarm_name          = "${var.name}-ec2-status-check"
  alarm_description   = "EC2 system or instance status check failed."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  dimensions = { InstanceId = var.instance_id }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  for_each = var.dynamodb_table_names

  alarm_name          = "${var.name}-dynamodb-throttles-${each.key}"
  alarm_description   = "Read or write requests to ${each.value} are throttled."
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions

  metric_query {
    id          = "throttles"
    expression  = "FILL(reads, 0) + FILL(writes, 0)"
    label       = "Throttle events"
    return_data = true
  }

  metric_query {
    id = "reads"
    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "ReadThrottleEvents"
      period      = 300
      stat        = "Sum"
      dimensions  = { TableName = each.value }
    }
  }

  metric_query {
    id = "writes"
    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "WriteThrottleEvents"
      period      = 300
      stat        = "Sum"
      dimensions  = { TableName = each.value }
    }
  }

  tags = var.tags
}
