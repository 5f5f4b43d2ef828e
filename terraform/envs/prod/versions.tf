terraform {
  required_version = ">= 1.5.0"

  # Partial configuration: bucket, region and dynamodb_table come from `-backend-config=backend.hcl`
  # (see backend.hcl.example and terraform/bootstrap), so the bucket name lives outside the code.
  backend "s3" {
    key     = "statuspage/prod/terraform.tfstate"
    encrypt = true
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.81, < 6.0"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = local.tags
  }
}

# CloudFront certificates must live in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = local.tags
  }
}
