/**
 * A stack synthesizer for templates deployed without CDK: no bootstrap stack, no asset parameters with
 * generated names. The one code package the stack's functions share is read from the template parameters
 * `CodeBucket` and `CodeKey`, and the synthesizer remembers where CDK staged it so that it can be zipped
 * beside the template.
 */
import {
  CfnParameter,
  type FileAssetLocation,
  FileAssetPackaging,
  type FileAssetSource,
  type ISynthesisSession,
  StackSynthesizer,
} from 'aws-cdk-lib';

export class CodeParameterSynthesizer extends StackSynthesizer {
  /** The code package, once a function has asked for it. */
  asset?: FileAssetSource;
  private location?: FileAssetLocation;

  /** @param codeKey the S3 key the package is uploaded under: the default of `CodeKey`. */
  constructor(private readonly codeKey: (asset: FileAssetSource) => string) {
    super();
  }

  addFileAsset(asset: FileAssetSource): FileAssetLocation {
    if (this.asset && this.location) {
      // Both of the provider's functions run the same bundle; anything else needs a parameter pair of its own.
      if (asset.sourceHash !== this.asset.sourceHash) {
        throw new Error(
          `${this.boundStack.node.path}: a second code package (${asset.fileName ?? asset.sourceHash}); this template takes one, as CodeBucket/CodeKey.`,
        );
      }
      return this.location;
    }
    if (asset.packaging !== FileAssetPackaging.ZIP_DIRECTORY || !asset.fileName) {
      throw new Error(
        `${this.boundStack.node.path}: only a directory of Lambda code can become the CodeBucket/CodeKey package (got ${asset.packaging ?? 'file'} ${asset.fileName ?? ''}).`,
      );
    }
    const stack = this.boundStack;
    const bucket = new CfnParameter(stack, 'CodeBucket', {
      type: 'String',
      description: "S3 bucket holding the provider's Lambda code package, in the region of this stack",
      minLength: 3,
    });
    const key = new CfnParameter(stack, 'CodeKey', {
      type: 'String',
      default: this.codeKey(asset),
      description: 'S3 key of the Lambda code package (the .zip written beside this template); a new key deploys new code',
      minLength: 1,
    });
    this.asset = asset;
    this.location = {
      bucketName: bucket.valueAsString,
      objectKey: key.valueAsString,
      httpUrl: `https://s3.${stack.region}.${stack.urlSuffix}/${bucket.valueAsString}/${key.valueAsString}`,
      s3ObjectUrl: `s3://${bucket.valueAsString}/${key.valueAsString}`,
    };
    return this.location;
  }

  addDockerImageAsset(): never {
    throw new Error(`${this.boundStack.node.path}: container images cannot be packaged for a template without a bootstrap stack.`);
  }

  synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
    this.emitArtifact(session);
  }
}
